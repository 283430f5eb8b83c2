#!/usr/bin/env bash
# The fake Coder agent (tests/support/fake-coder-agent): a static Go binary, cached by the hash
# of its sources. stdout: the binary's path.
source "$(dirname "$0")/lib.sh"
testbed_lock

src="$(cd "$(dirname "$0")/../support/fake-coder-agent" && pwd)"
hash=$(cat "$src/go.mod" "$src/main.go" | sha256sum | cut -c1-16)
out="$DCK_CACHE/bin/fake-coder-agent-$hash"
if [ ! -x "$out" ]; then
  command -v go >/dev/null || die "go is missing (needed to build the fake Coder agent)"
  mkdir -p "$(dirname "$out")"
  (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w" -o "$out.tmp" .) >&2
  mv "$out.tmp" "$out"
  done_msg "built $out"
else
  done_msg "cached $out"
fi
echo "$out"
