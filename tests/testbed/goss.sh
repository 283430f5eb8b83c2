#!/usr/bin/env bash
# goss v0.4.9, built from the Go module proxy as a static binary.
# stdout: the path of the binary.
source "$(dirname "$0")/lib.sh"
testbed_lock
GOSS_VERSION=v0.4.9
out="$DCK_CACHE/bin/goss"
if [ -x "$out" ] && "$out" --version 2>/dev/null | grep -q "$GOSS_VERSION"; then
  done_msg "goss $GOSS_VERSION present at $out"
else
  command -v go >/dev/null || die "Go is not installed; the test bed builds goss from the Go module proxy"
  say "building goss $GOSS_VERSION from the Go module proxy"
  go_build_pinned goss "github.com/goss-org/goss@$GOSS_VERSION" github.com/goss-org/goss/cmd/goss "$out" \
    "-X github.com/goss-org/goss/util.Version=$GOSS_VERSION"
  done_msg "built goss $GOSS_VERSION at $out"
fi
echo "$out"
