#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats' run --separate-stderr
# The test bed scripts' contract: result on stdout only, progress on stderr, clear errors.
# Real parts: the scripts themselves, the Docker client, goss, Terraform.

bats_require_minimum_version 1.5.0

setup() {
  bats_load_library bats-support
  bats_load_library bats-assert
  TESTBED="$BATS_TEST_DIRNAME/.."
  own_registry=
}

teardown() {
  if [ -n "$own_registry" ]; then
    kill "$(cat "$own_registry/registry/registry.pid" 2>/dev/null)" 2>/dev/null || true
    rm -rf "$own_registry"
  fi
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

# A blob pushed without its manifest yet (what another test file's push looks like mid-way) must
# survive `forget` of another repository: garbage collection runs only while the registry is not
# serving. A registry of its own (own cache dir and port), so the shared one is never restarted.
@test "registry.sh forget keeps another repository's just-pushed blob; collect frees the forgotten one's" {
  cache=$(mktemp -d)
  own_registry=$cache # teardown stops it
  export DCK_CACHE=$cache DCK_REGISTRY_PORT=5198
  # 3>&-: the registry outlives the script, and bats waits for whatever holds its fd 3.
  run --separate-stderr bash "$TESTBED/registry.sh" 3>&-
  assert_success
  base="http://$output/v2"
  # push_blob REPO CONTENT: a monolithic upload (POST, then PUT with the digest); prints the digest.
  push_blob() {
    local tmp digest location
    tmp=$(mktemp)
    printf '%s' "$2" > "$tmp"
    digest="sha256:$(sha256sum "$tmp" | cut -d' ' -f1)"
    location=$(curl -fsS -o /dev/null -D - -X POST "$base/$1/blobs/uploads/" | tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
    curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$tmp" "$location&digest=$digest"
    rm -f "$tmp"
    echo "$digest"
  }
  blob_status() { curl -s -o /dev/null -w '%{http_code}' -I "$base/$1/blobs/$2"; }
  gone=$(push_blob forgotten/x "the forgotten repository's layer")
  kept=$(push_blob other/y "another test's layer, its manifest not pushed yet")
  blob_file() { echo "$cache/registry/data/docker/registry/v2/blobs/sha256/${1:7:2}/${1#sha256:}/data"; }
  [ -f "$(blob_file "$gone")" ]

  run --separate-stderr bash "$TESTBED/registry.sh" forget forgotten
  assert_success
  [ "$(blob_status other/y "$kept")" = 200 ]
  [ "$(blob_status forgotten/x "$gone")" = 404 ]
  [ -f "$(blob_file "$gone")" ]

  run --separate-stderr bash "$TESTBED/registry.sh" collect 3>&-
  assert_success
  [[ "$stderr" == *"garbage collection:"* ]]
  [ ! -f "$(blob_file "$gone")" ]
  curl -fsS -o /dev/null "$base/"
}
