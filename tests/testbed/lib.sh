#!/usr/bin/env bash
# Shared helpers for the test bed scripts. Sourced, not run.
# Every script is idempotent: it checks what is there, does only what is missing,
# and says what it did and how long it took (on stderr, so stdout stays clean).
set -euo pipefail

: "${DCK_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/devcontainer-kit}"
export DCK_CACHE
mkdir -p "$DCK_CACHE"

# A test file's TMPDIR is removed when the file is done (tests/support/test-tmpdir.js), but the
# daemons these scripts start (dockerd, containerd, the registries, the cluster) outlive it and keep
# files in their TMPDIR (runc's exec state): they get the machine's own, whoever runs the script.
if [ -n "${DCK_HOST_TMPDIR:-}" ]; then export TMPDIR=$DCK_HOST_TMPDIR; fi

testbed_started=$(date +%s.%N)
testbed_name=$(basename "${BASH_SOURCE[1]:-$0}" .sh)

say() { printf '[testbed:%s] %s\n' "$testbed_name" "$*" >&2; }

elapsed() { awk -v s="$testbed_started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1fs", e - s }'; }

done_msg() { say "$* ($(elapsed))"; }

die() { say "error: $*"; exit 1; }

# `npm run test:unit` (DCK_TEST_SCOPE=unit) runs without the test bed: a test that gets here is a
# slow test that tests/support/test-scopes.js does not list yet.
[ "${DCK_TEST_SCOPE:-all}" != unit ] || die "not in the unit scope: list the calling test file in tests/support/test-scopes.js"

# testbed_lock: hold an exclusive lock named after this script until it exits, so parallel test
# tasks that need the same part wait for one build and then find it cached. The lock is fd 9:
# daemons a script starts in the background must close it (9>&-), or they would hold it forever.
testbed_lock() {
  mkdir -p "$DCK_CACHE/locks"
  exec 9>"$DCK_CACHE/locks/$testbed_name.lock"
  if ! flock -n 9; then
    say "waiting for another run of $testbed_name"
    flock 9
  fi
}

# apt_install PKG... installs the Debian packages that are missing (needs root).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ ! -f /var/lib/apt/lists/lock ] || ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then
    apt-get update -qq >&2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }
}

# go_build_pinned NAME MODULE@VERSION PACKAGE OUT [LDFLAGS]
# Builds PACKAGE from MODULE at an exact version through a throwaway module, so the
# proxy is asked only for pinned versions (this proxy refuses some `@v/list` queries
# that `go install pkg@version` makes). GOPATH/GOCACHE are the user's: reruns are fast.
go_build_pinned() {
  local name=$1 modver=$2 pkg=$3 out=$4 ldflags=${5:-}
  local dir="$DCK_CACHE/go-src/$name"
  mkdir -p "$dir" "$(dirname "$out")"
  printf 'module testbed/%s\n\ngo 1.22\n\nrequire %s %s\n' "$name" "${modver%@*}" "${modver#*@}" > "$dir/go.mod"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$pkg") >&2
  mv "$out.tmp" "$out"
}
