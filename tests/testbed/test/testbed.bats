#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats' run --separate-stderr
# The test bed scripts' contract: result on stdout only, progress on stderr, clear errors.
# Real parts: the scripts themselves, the Docker client, goss, Terraform.

bats_require_minimum_version 1.5.0

setup() {
  bats_load_library bats-support
  bats_load_library bats-assert
  TESTBED="$BATS_TEST_DIRNAME/.."
}

@test "goss.sh prints only the binary's path on stdout" {
  run --separate-stderr bash "$TESTBED/goss.sh"
  assert_success
  assert_output --regexp '^/.*/bin/goss$'
  [[ "$stderr" == *"goss v0.4.9"* ]]
}

@test "terraform-providers.sh writes a CLI config whose mirror holds both providers" {
  run --separate-stderr bash "$TESTBED/terraform-providers.sh"
  assert_success
  rc="$output"
  [ -f "$rc" ]
  mirror=$(sed -n 's/^ *path *= *"\(.*\)"/\1/p' "$rc")
  [ -x "$(compgen -G "$mirror/registry.terraform.io/coder/coder/*/linux_amd64/terraform-provider-coder_v*" | head -1)" ]
  [ -x "$(compgen -G "$mirror/registry.terraform.io/hashicorp/kubernetes/*/linux_amd64/terraform-provider-kubernetes_v*" | head -1)" ]
}

@test "terraform init links a working directory's providers straight into the mirror (no shared plugin cache a concurrent init re-creates)" {
  rc=$(bash "$TESTBED/terraform-providers.sh" 2>/dev/null)
  mirror=$(sed -n 's/^ *path *= *"\(.*\)"/\1/p' "$rc")
  dir=$(mktemp -d)
  printf 'terraform {\n  required_providers {\n    coder = { source = "coder/coder" }\n  }\n}\n' > "$dir/main.tf"
  TF_CLI_CONFIG_FILE=$rc TF_PLUGIN_CACHE_DIR='' terraform -chdir="$dir" init -backend=false -input=false -no-color >&2
  link=$(compgen -G "$dir/.terraform/providers/registry.terraform.io/coder/coder/*/linux_amd64" | head -1)
  target=$(readlink "$link")
  rm -rf "$dir"
  [[ "$target" == "$mirror/"* ]]
}

@test "docker.sh names the daemon it cannot reach and what to do" {
  DOCKER_HOST=unix:///nonexistent/dck-no-daemon.sock run --separate-stderr bash "$TESTBED/docker.sh"
  assert_failure
  [[ "$stderr" == *"DOCKER_HOST=unix:///nonexistent/dck-no-daemon.sock does not answer"* ]]
  [[ "$stderr" == *"unset DOCKER_HOST"* ]]
}

@test "the cache directory follows DCK_CACHE" {
  tmp=$(mktemp -d)
  # A fresh cache has no goss: the script would build one; only check where it would put it.
  DCK_CACHE="$tmp" run bash -c "source '$TESTBED/lib.sh'; echo \"\$DCK_CACHE\""
  assert_success
  assert_output "$tmp"
  [ -d "$tmp" ]
  rm -rf "$tmp"
}
