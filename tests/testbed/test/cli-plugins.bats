#!/usr/bin/env bats
# The docker CLI plugins of the test bed (buildx, compose) and BuildKit's Dockerfile frontend.
# Real parts: the scripts, the Go-built plugins, the docker client and daemon, the local registry.

bats_require_minimum_version 1.5.0

setup() {
  bats_load_library bats-support
  bats_load_library bats-assert
  TESTBED="$BATS_TEST_DIRNAME/.."
  CONFIG="$BATS_TEST_TMPDIR/docker-config"
  mkdir -p "$CONFIG/cli-plugins"
}

@test "buildx.sh prints the plugin directory; the docker client runs buildx v0.38.2 from it on the docker driver" {
  run --separate-stderr bash "$TESTBED/buildx.sh"
  assert_success
  assert_output --regexp '^/.*/cli-plugins$'
  ln -s "$output/docker-buildx" "$CONFIG/cli-plugins/docker-buildx"
  run env DOCKER_CONFIG="$CONFIG" docker buildx version
  assert_output --partial 'github.com/docker/buildx v0.38.2'
  run env DOCKER_CONFIG="$CONFIG" docker buildx inspect
  assert_output --regexp 'Driver:[[:space:]]+docker'
}

@test "compose.sh prints the plugin directory; the docker client runs compose v2.40.3 from it" {
  run --separate-stderr bash "$TESTBED/compose.sh"
  assert_success
  ln -s "$output/docker-compose" "$CONFIG/cli-plugins/docker-compose"
  run env DOCKER_CONFIG="$CONFIG" docker compose version
  assert_output --partial 'v2.40.3'
}

@test "dockerfile-frontend.sh prints an image reference the local registry serves" {
  run --separate-stderr bash "$TESTBED/dockerfile-frontend.sh"
  assert_success
  assert_output --regexp '^127\.0\.0\.1:[0-9]+/dck/dockerfile:[0-9.]+$'
  ref=$output
  run curl -fsS -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://${ref%%/*}/v2/dck/dockerfile/manifests/${ref##*:}"
  assert_success
}
