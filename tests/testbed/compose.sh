#!/usr/bin/env bash
# Docker Compose v2, built from its Go module as a docker CLI plugin (static, cached like goss):
# `docker compose` for devcontainer configs with `dockerComposeFile`.
# stdout: the plugin directory (put it in ~/.docker/cli-plugins, or copy the binary there).
source "$(dirname "$0")/lib.sh"
testbed_lock
COMPOSE_VERSION=${COMPOSE_VERSION:-v2.40.3}
dir="$DCK_CACHE/cli-plugins"
out="$dir/docker-compose"
if [ -x "$out" ] && "$out" version 2>/dev/null | grep -q "$COMPOSE_VERSION"; then
  done_msg "compose $COMPOSE_VERSION present at $out"
else
  command -v go >/dev/null || die "Go is not installed; the test bed builds compose from the Go module proxy"
  say "building compose $COMPOSE_VERSION from the Go module proxy"
  go_build_pinned compose "github.com/docker/compose/v2@$COMPOSE_VERSION" github.com/docker/compose/v2/cmd "$out" \
    "-X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION"
  done_msg "built compose $COMPOSE_VERSION at $out"
fi
echo "$dir"
