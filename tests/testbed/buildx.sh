#!/usr/bin/env bash
# buildx, built from its Go module as a docker CLI plugin (static, cached like goss). With it the
# docker client builds through BuildKit: the `docker` driver uses the daemon's built-in BuildKit
# (dockerd 20.10+), so no builder container and no network are needed.
# stdout: the plugin directory (put it in ~/.docker/cli-plugins, or copy the binary there).
source "$(dirname "$0")/lib.sh"
testbed_lock
BUILDX_VERSION=${BUILDX_VERSION:-v0.38.2}
dir="$DCK_CACHE/cli-plugins"
out="$dir/docker-buildx"
if [ -x "$out" ] && "$out" version 2>/dev/null | grep -q " $BUILDX_VERSION "; then
  done_msg "buildx $BUILDX_VERSION present at $out"
else
  command -v go >/dev/null || die "Go is not installed; the test bed builds buildx from the Go module proxy"
  say "building buildx $BUILDX_VERSION from the Go module proxy"
  go_build_pinned buildx "github.com/docker/buildx@$BUILDX_VERSION" github.com/docker/buildx/cmd/buildx "$out" \
    "-X github.com/docker/buildx/version.Version=$BUILDX_VERSION -X github.com/docker/buildx/version.Package=github.com/docker/buildx"
  done_msg "built buildx $BUILDX_VERSION at $out"
fi
echo "$dir"
