# Remote mode of workspace-test.bats: workspaces on a real Coder deployment (CODER_URL + CODER_SESSION_TOKEN,
# read by the coder CLI from the environment — the token never goes on a command line).
# Not runnable on the machine this was written on (no Coder deployment): written carefully, exercised only
# where a deployment exists. Settings (environment):
#   WT_TEMPLATE          template name (default coder-devcontainer-kubernetes)
#   WT_PUSH_TEMPLATE=1   push apps/coder-devcontainer-kubernetes as that template first
#   WT_REPO_URL          repository to build (default: git remote get-url origin)
#   WT_BRANCH            branch (default: the current branch)
#   WT_BUILDER_IMAGE     builder_image parameter (default: the template's)
#   WT_DEADLINE          outside checks deadline (default 15m)
#   WT_STATUS_FILE       builder status file as seen inside the devcontainer (default: workspace-test's)
#   WT_APPS              app slugs that must be healthy (default code-server)
WT_STATE="${WT_STATE:-${BATS_FILE_TMPDIR:-/tmp}/dck-workspace-test-remote-workspaces}"

wt_remote_name() { echo "dck-wt-$1-$(printf '%s' "$WT_RUN_ID" | cksum | cut -c1-8)"; }

wt_remote_create() {
  local name=$1 config=$2 ws
  ws=$(wt_remote_name "$name")
  # Record before creating: teardown deletes whatever may exist, even when create fails halfway.
  echo "$ws" >> "$WT_STATE"
  local params=(
    --parameter "repo_url=${WT_REPO_URL:-$(git -C "$WT_REPO_ROOT" remote get-url origin)}"
    --parameter "git_branch=${WT_BRANCH:-$(git -C "$WT_REPO_ROOT" rev-parse --abbrev-ref HEAD)}"
    --parameter "devcontainer_config=$config"
  )
  [ -n "${WT_BUILDER_IMAGE:-}" ] && params+=(--parameter "builder_image=$WT_BUILDER_IMAGE")
  coder create "$ws" --template "${WT_TEMPLATE:-coder-devcontainer-kubernetes}" --yes "${params[@]}" >&2
}

wt_remote_setup() {
  command -v coder >/dev/null || { echo "remote mode needs the coder CLI on PATH" >&2; return 1; }
  : > "$WT_STATE"
  if [ "${WT_PUSH_TEMPLATE:-0}" = 1 ]; then
    coder templates push "${WT_TEMPLATE:-coder-devcontainer-kubernetes}" --directory "$WT_APP_DIR" --yes >&2
  fi
  wt_remote_create fixture "apps/coder-devcontainer-kubernetes/tests/fixtures/workspace-repo/.devcontainer/devcontainer.json"
  wt_remote_create repo ".devcontainer/devcontainer.json"
  wt_remote_create broken-hook "apps/coder-devcontainer-kubernetes/tests/fixtures/workspace-repo/.devcontainer/broken-hook/devcontainer.json" || true
}

wt_remote_teardown() {
  local ws
  [ -f "$WT_STATE" ] || return 0
  while read -r ws; do
    [ -n "$ws" ] && coder delete "$ws" --yes >&2 || true
  done < "$WT_STATE"
  return 0
}

# Outside: running, healthy, agent connected and ready, apps healthy — one deadline, no blind sleeps.
wt_remote_outside() {
  wt outside --workspace "$(wt_remote_name "$1")" --app "${WT_APPS:-code-server}" --deadline "${WT_DEADLINE:-15m}" --format tap
}

wt_remote_outside_with_deadline() {
  wt outside --workspace "$(wt_remote_name "$1")" --deadline "$2" --format tap
}

# Inside, over `coder ssh`: the checks derived from the same devcontainer.json (read from this checkout).
wt_remote_inside() {
  local name=$1 dir
  shift
  [ "$name" = fixture ] && dir="$WT_FIXTURE" || dir="$WT_REPO_ROOT"
  wt run --target "coder:$(wt_remote_name "$name")" --workspace "$dir" --retry-timeout 120s --sleep 5s \
    ${WT_STATUS_FILE:+--status-file "$WT_STATUS_FILE"} --format tap "$@"
}
