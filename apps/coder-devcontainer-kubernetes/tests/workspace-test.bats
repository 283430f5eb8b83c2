#!/usr/bin/env bats
# workspace_test: a workspace really honours its devcontainer.json, checked from inside with goss.
#
# Two modes, picked from the environment (README: "workspace_test"):
# - local (no CODER_URL/CODER_SESSION_TOKEN; CI, laptops): two workspaces are built on this machine's Docker
#   engine — this repository's own .devcontainer and the fixture repository tests/fixtures/workspace-repo —
#   with the loopback Coder stand-in (tests/support/coder-standin) receiving the agent's calls, then checked
#   through the docker transport.
#   Real: Docker engine, the devcontainer CLI (or devcontainer-builder once its `up` exists), goss v0.4.9,
#   npm ci inside the container, workspace-test's CLI. Stand-ins: the Coder server (the loopback stand-in)
#   and the agent binary it serves (tests/support/standin-agent.sh, which calls the stand-in with its token).
# - remote (CODER_URL + CODER_SESSION_TOKEN set): the same workspaces are created on that Coder deployment
#   with `coder create` (template parameters from git), checked from outside (coderd API) and inside
#   (coder transport), and always deleted (teardown_file, and tests/workspace-test.sh's trap on interrupt).
#   Nothing on this machine can run this mode (no Coder deployment): it is written, not run, here.

setup_file() {
  export WT_RUN_ID="dck-workspace-test-$$-$RANDOM"
  source "$BATS_TEST_DIRNAME/support/workspace.bash"
  export WT_MODE
  WT_MODE=$(wt_mode)
  wt_ensure_built
  export GOSS_BINARY
  GOSS_BINARY=$(bash "$WT_REPO_ROOT/tests/testbed/goss.sh")
  if [ "$WT_MODE" = local ]; then
    bash "$WT_REPO_ROOT/tests/testbed/docker.sh"
    wt_standin_start
    local fixture repo broken
    fixture=$(wt_copy_repo "$WT_FIXTURE" dck-workspace-test-fixture)
    repo=$(wt_copy_repo "$WT_REPO_ROOT" dck-workspace-test-repo)
    broken=$(wt_copy_repo "$WT_FIXTURE" dck-workspace-test-broken-hook)
    export WT_FIXTURE_DIR=$fixture WT_REPO_DIR=$repo WT_BROKEN_DIR=$broken
    wt_local_up "$fixture" fixture
    wt_local_up "$repo" repo
    WT_HOOK_FAILURE='continue' wt_local_up "$broken" broken-hook .devcontainer/broken-hook/devcontainer.json
  else
    source "$BATS_TEST_DIRNAME/support/remote.bash"
    wt_remote_setup
  fi
}

teardown_file() {
  source "$BATS_TEST_DIRNAME/support/workspace.bash"
  if [ "$WT_MODE" = local ]; then
    wt_local_teardown
    wt_standin_stop
  else
    source "$BATS_TEST_DIRNAME/support/remote.bash"
    wt_remote_teardown
  fi
}

setup() {
  bats_load_library bats-support
  bats_load_library bats-assert
  source "$BATS_TEST_DIRNAME/support/workspace.bash"
  [ "$WT_MODE" = remote ] && source "$BATS_TEST_DIRNAME/support/remote.bash"
  return 0
}

# wt_inside NAME [workspace-test run args...]: the inside checks of one workspace, TAP on stdout.
wt_inside() {
  local name=$1
  shift
  if [ "$WT_MODE" = local ]; then
    # shellcheck disable=SC1090
    source "$BATS_FILE_TMPDIR/$name.env"
    wt run --target "docker:$WT_CONTAINER" --workspace "$(wt_dir "$name")" --status-file "$WT_STATUS_FILE" \
      --ide-server none --format tap "$@"
  else
    wt_remote_inside "$name" "$@"
  fi
}

wt_dir() {
  case $1 in
    fixture) echo "$WT_FIXTURE_DIR" ;;
    broken-hook) echo "$WT_BROKEN_DIR" ;;
    *) echo "$WT_REPO_DIR" ;;
  esac
}

@test "the workspaces are up and their Coder agent reached Coder" {
  if [ "$WT_MODE" = local ]; then
    # Each workspace's agent connected to the stand-in (websocket upgrade at /api/v2/workspaceagents/me/rpc) with the agent token.
    local calls=0
    for _ in $(seq 1 60); do
      calls=$(wt_standin_agent_calls)
      [ "$calls" -ge 2 ] && break
      sleep 0.5
    done
    assert [ "$calls" -ge 2 ]
  else
    run wt_remote_outside fixture
    assert_success
    run wt_remote_outside repo
    assert_success
  fi
}

@test "fixture repository: every check derived from its devcontainer.json and goss.yaml passes" {
  run wt_inside fixture
  assert_success
  refute_output --partial 'not ok'
  # One of each kind of check ran.
  assert_output --partial 'remote user dev exists: exists: ok'
  assert_output --regexp 'workspace folder /workspaces/[^ ]+ exists and is owned by dev: owner: ok'
  assert_output --partial 'containerEnv FIXTURE_CONTAINER_ENV=from-containerEnv: stdout: ok'
  assert_output --partial 'remoteEnv FIXTURE_REMOTE_ENV=from-remoteEnv: stdout: ok'
  assert_output --partial 'remoteEnv SHARED_NAME=remote-value: stdout: ok'
  assert_output --partial 'mount /home/dev/.cache (tmpfs) present: exists: ok'
  assert_output --partial 'postStartCommand ran: exists: ok'
  assert_output --partial 'lifecycle hooks see remoteEnv: contents: ok'
  assert_output --regexp 'lifecycle hooks onCreateCommand, postCreateCommand, postStartCommand completed: builder phase up is success in [^ ]+: stdout: ok'
  assert_output --regexp 'no lastError in [^ ]+: stdout: ok'
  assert_output --partial 'Coder agent process running'
}

@test "this repository's .devcontainer: derived checks and .devcontainer/goss.yaml (Node 20, npm ci done, moon) pass" {
  # postCreateCommand (npm ci) comes after waitFor (updateContentCommand): it runs in the background
  # while the agent is already up, so the checks retry until it is done, as a user would wait.
  run wt_inside repo --retry-timeout 600s --sleep 5s
  assert_success
  refute_output --partial 'not ok'
  assert_output --partial 'Node 20 is on PATH'
  assert_output --partial "postCreateCommand's npm ci installed"
  assert_output --partial 'moon 2 is available from node_modules/.bin'
  assert_output --partial 'containerEnv MOON_TELEMETRY=false: stdout: ok'
  assert_output --regexp 'lifecycle hooks postCreateCommand completed: builder phase up is success in [^ ]+: stdout: ok'
}

@test "the harness fails precisely when a workspace does not match (wrong expected env value)" {
  local wrong="$BATS_TEST_TMPDIR/wrong.goss.yaml"
  printf 'command:\n  env FIXTURE_CONTAINER_ENV:\n    exec: printenv FIXTURE_CONTAINER_ENV\n    exit-status: 0\n    stdout: {equal: "something-else\\n"}\n    title: containerEnv FIXTURE_CONTAINER_ENV=something-else\n' > "$wrong"
  run wt_inside fixture --user-gossfile "$wrong"
  assert_failure 1
  assert_output --partial 'not ok'
  assert_output --partial 'containerEnv FIXTURE_CONTAINER_ENV=something-else: stdout: expected "something-else\n", actual "from-containerEnv\n"'
}

@test "the harness fails precisely when a lifecycle hook did not complete (postCreateCommand exits 3)" {
  if [ "$WT_MODE" = local ]; then
    run wt_inside broken-hook --config .devcontainer/broken-hook/devcontainer.json
    assert_failure 1
    # postCreateCommand comes after waitFor (updateContentCommand): up succeeds, the hook fails in the background.
    assert_output --regexp 'not ok [0-9]+ - the background lifecycle hooks \(after waitFor\) finished without a failure'
    assert_output --regexp 'not ok [0-9]+ - no lastError in [^ ]+: stdout .*lifecycle-hook-failed.*postCreateCommand failed'
    # The devcontainer CLI stops at the failing hook: postStart never ran.
    assert_output --regexp 'not ok [0-9]+ - postStartCommand ran: exists: expected true, actual false'
  else
    # The template's builder stops on a failing hook (DEVCONTAINER_HOOK_FAILURE=fail): the workspace never
    # becomes ready, and the outside checks say so by their (shorter) deadline.
    run wt_remote_outside_with_deadline broken-hook "${WT_BROKEN_DEADLINE:-5m}"
    assert_failure 1
    assert_output --partial 'not ok'
  fi
}
