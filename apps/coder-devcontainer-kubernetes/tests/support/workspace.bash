# Helpers for workspace-test.bats: bring a workspace up (local: on this machine's Docker engine;
# remote: on a Coder deployment), remember it for teardown, and run workspace-test against it.
# Sourced by the bats file; everything it creates is labelled/named dck-workspace-test-*.

WT_APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WT_REPO_ROOT=$(cd "$WT_APP_DIR/../.." && pwd)
WT_CLI="$WT_REPO_ROOT/libs/workspace-test/dist/cli.js"
WT_BUILDER="$WT_REPO_ROOT/apps/devcontainer-builder/dist/cli.js"
WT_DEVCONTAINER="$WT_REPO_ROOT/node_modules/.bin/devcontainer"
WT_FIXTURE="$WT_APP_DIR/tests/fixtures/workspace-repo"
WT_CA_BUNDLE=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
WT_CA_IN_CONTAINER=/etc/ssl/certs/dck-workspace-test-host-ca.crt

wt_mode() {
  if [ -n "${CODER_URL:-}" ] && [ -n "${CODER_SESSION_TOKEN:-}" ]; then echo remote; else echo local; fi
}

wt_log() { printf '# %s\n' "$*" >&3; }

# The CLIs this file runs, built by the moon task's deps; built here (in dependency order) only when a dist is
# missing, e.g. when the app's plain `test` task runs this bats file on a fresh checkout.
wt_ensure_built() {
  local pkg
  for pkg in libs/devcontainer-config libs/coder-log-client libs/builder-runner apps/devcontainer-builder libs/workspace-test; do
    [ -f "$WT_REPO_ROOT/$pkg/dist/index.js" ] || (cd "$WT_REPO_ROOT/$pkg" && npx tsup --silent) >&2
  done
}

# workspace-test CLI.
wt() {
  node "$WT_CLI" "$@"
}

# json_field JSON KEY: one top-level field of a JSON object.
json_field() { node -e 'const v = JSON.parse(process.argv[1])[process.argv[2]]; process.stdout.write(v === undefined ? "" : String(v))' "$1" "$2"; }

# --- local mode -----------------------------------------------------------------------------------

# wt_copy_repo SRC NAME: a copy of a repository's working tree (tracked + untracked, not ignored) owned by
# uid 1000, since the devcontainer CLI running as root skips UID matching and the remote user must write it.
wt_copy_repo() {
  local src=$1 name=$2 dest="$BATS_FILE_TMPDIR/$2/$2"
  mkdir -p "$dest"
  if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1 && [ "$(git -C "$src" rev-parse --show-toplevel)" = "$src" ]; then
    (cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} sh -c '[ -e "{}" ] && printf "%s\0" "{}"' | tar --null -T - -c) | tar -x -C "$dest"
    # Node tarballs prepared by initializeCommand (ignored by git): reuse them rather than download again.
    [ -d "$src/.devcontainer/.cache" ] && cp -r "$src/.devcontainer/.cache" "$dest/.devcontainer/"
  else
    cp -r "$src/." "$dest/"
  fi
  git -C "$dest" init -q 2>/dev/null || true
  chown -R 1000:1000 "$dest"
  echo "$dest"
}

# wt_standin_start: the loopback Coder stand-in, serving the stand-in agent as /bin/coder-linux-amd64.
# Exports WT_STANDIN_URL, WT_STANDIN_TOKEN, WT_STANDIN_PID.
wt_standin_start() {
  local out="$BATS_FILE_TMPDIR/standin.json"
  node "$WT_REPO_ROOT/tests/support/coder-standin/cli.mjs" --json \
    --agent-binary-amd64 "$WT_APP_DIR/tests/support/standin-agent.sh" >"$out" 2>"$BATS_FILE_TMPDIR/standin.log" 3>&- &
  export WT_STANDIN_PID=$!
  local i
  for i in $(seq 1 100); do
    [ -s "$out" ] && break
    sleep 0.1
  done
  [ -s "$out" ] || { cat "$BATS_FILE_TMPDIR/standin.log" >&2; return 1; }
  WT_STANDIN_URL=$(json_field "$(cat "$out")" url)
  WT_STANDIN_TOKEN=$(json_field "$(cat "$out")" agentToken)
  export WT_STANDIN_URL WT_STANDIN_TOKEN
}

wt_standin_stop() {
  [ -n "${WT_STANDIN_PID:-}" ] && kill "$WT_STANDIN_PID" 2>/dev/null
  return 0
}

# wt_local_up DIR NAME: brings the devcontainer of DIR up on the local engine through devcontainer-builder
# (WT_LOCAL_UP=devcontainer: plain `devcontainer up` plus the stand-in agent started the way the builder's
# binary mode does, for telling builder problems from workspace problems). Writes DIR.env with WT_CONTAINER, WT_REMOTE_USER, WT_WORKSPACE_FOLDER, WT_STATUS_FILE.
wt_local_up() {
  local dir=$1 name=$2 config=${3:-} log="$BATS_FILE_TMPDIR/$2.up.log" result
  if [ "${WT_LOCAL_UP:-builder}" = builder ]; then
    wt_builder_up "$dir" "$name" "$config"
    return
  fi
  result=$(DCK_BASE_IMAGE=local/debian DCK_BASE_TAG=bookworm "$WT_DEVCONTAINER" up --workspace-folder "$dir" \
    ${config:+--config "$dir/$config"} \
    --id-label "dck-workspace-test=$WT_RUN_ID" --id-label "dck-workspace-test.name=$name" \
    --log-format json \
    --mount "type=bind,source=$WT_CA_BUNDLE,target=$WT_CA_IN_CONTAINER" \
    --remote-env "NODE_EXTRA_CA_CERTS=$WT_CA_IN_CONTAINER" 2>"$log" | tail -n 1)
  if [ "$(json_field "$result" outcome)" != success ]; then
    tail -n 20 "$log" >&2
    echo "devcontainer up failed for $name: $result" >&2
    return 1
  fi
  local cid user folder
  cid=$(json_field "$result" containerId)
  user=$(json_field "$result" remoteUser)
  folder=$(json_field "$result" remoteWorkspaceFolder)
  wt_start_standin_agent "$cid" "$user"
  # No builder ran, so there is no status file: the lifecycle check comes from the repository's goss.yaml.
  printf 'WT_CONTAINER=%s\nWT_REMOTE_USER=%s\nWT_WORKSPACE_FOLDER=%s\nWT_STATUS_FILE=none\n' "$cid" "$user" "$folder" > "$BATS_FILE_TMPDIR/$name.env"
}

# The stand-in agent, as the builder's binary mode starts the real one: fetched from the Coder URL's
# /bin/coder-linux-amd64, run as the remote user with CODER_AGENT_URL and the token in the environment
# (docker exec -e NAME copies the value from this process: never on a command line).
wt_start_standin_agent() {
  local cid=$1 user=$2
  curl_free_fetch "${WT_STANDIN_URL}bin/coder-linux-amd64" > "$BATS_FILE_TMPDIR/coder"
  docker exec -u root "$cid" mkdir -p /tmp/.dck-workspace-test
  docker cp "$BATS_FILE_TMPDIR/coder" "$cid:/tmp/.dck-workspace-test/coder" >/dev/null
  docker exec -u root "$cid" chmod 0755 /tmp/.dck-workspace-test/coder
  CODER_AGENT_TOKEN=$WT_STANDIN_TOKEN docker exec -d -u "$user" -e CODER_AGENT_TOKEN -e "CODER_AGENT_URL=$WT_STANDIN_URL" \
    "$cid" /tmp/.dck-workspace-test/coder agent
}

curl_free_fetch() { node -e 'fetch(process.argv[1]).then(async (r) => { if (!r.ok) { console.error(`GET ${process.argv[1]}: ${r.status}`); process.exit(1); } process.stdout.write(Buffer.from(await r.arrayBuffer())); })' "$1"; }

# devcontainer-builder up, as in the pod but on this engine: the repository copy used in place, the agent
# binary from the stand-in (binary mode: the images have no curl), the status file inside the workspace
# folder (so the devcontainer sees it), the host CA bundle for npm. It stays in the foreground supervising,
# like the pod's builder container; teardown sends it SIGTERM. Waits for the `supervise` phase.
wt_builder_up() {
  local dir=$1 name=$2 config=${3:-} log="$BATS_FILE_TMPDIR/$2.builder.log"
  local status="$dir/.devcontainer-builder/status.json"
  local extra=()
  [ -n "$config" ] && extra+=("DEVCONTAINER_CONFIG=$config")
  CODER_AGENT_TOKEN=$WT_STANDIN_TOKEN DCK_BASE_IMAGE=local/debian DCK_BASE_TAG=bookworm \
    DEVCONTAINER_REPOSITORY="$dir" DEVCONTAINER_WORKSPACE_NAME="$WT_RUN_ID-$name" \
    DEVCONTAINER_STATUS_FILE="$status" CODER_AGENT_URL="$WT_STANDIN_URL" DEVCONTAINER_AGENT_MODE=binary \
    DEVCONTAINER_MOUNTS="type=bind,source=$WT_CA_BUNDLE,target=$WT_CA_IN_CONTAINER" \
    DEVCONTAINER_REMOTE_ENV="NODE_EXTRA_CA_CERTS=$WT_CA_IN_CONTAINER" \
    DEVCONTAINER_HOOK_FAILURE="${WT_HOOK_FAILURE:-fail}" \
    env "${extra[@]}" node "$WT_BUILDER" up >"$log" 2>&1 3>&- &
  local pid=$!
  echo "$pid" >> "$BATS_FILE_TMPDIR/builder.pids"
  local i phase=''
  for i in $(seq 1 1800); do
    if [ -f "$status" ]; then
      phase=$(node -e 'try { process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).phase ?? "") } catch {}' "$status")
      [ "$phase" = supervise ] && break
    fi
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; echo "devcontainer-builder up exited before supervise (phase: ${phase:-none})" >&2; return 1; }
    sleep 0.5
  done
  [ "$phase" = supervise ] || { tail -n 30 "$log" >&2; echo "devcontainer-builder up did not reach supervise in 15 min" >&2; return 1; }
  local cid user folder
  cid=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).containerId ?? "")' "$status")
  user=$(docker inspect --format '{{index .Config.Labels "devcontainer.metadata"}}' "$cid" | node -e 'let m = JSON.parse(require("fs").readFileSync(0, "utf8")); m = Array.isArray(m) ? m : [m]; let u = "root"; for (const e of m) { if (e.containerUser) u = e.containerUser; } for (const e of m) { if (e.remoteUser) u = e.remoteUser; } process.stdout.write(u)')
  folder=$(docker inspect --format '{{range .Mounts}}{{if eq .Source "'"$dir"'"}}{{.Destination}}{{end}}{{end}}' "$cid")
  printf 'WT_CONTAINER=%s\nWT_REMOTE_USER=%s\nWT_WORKSPACE_FOLDER=%s\nWT_STATUS_FILE=%s\n' "$cid" "$user" "$folder" "$folder/.devcontainer-builder/status.json" > "$BATS_FILE_TMPDIR/$name.env"
}

wt_local_teardown() {
  local pid ids name
  if [ -f "$BATS_FILE_TMPDIR/builder.pids" ]; then
    while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done < "$BATS_FILE_TMPDIR/builder.pids"
    while read -r pid; do
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    done < "$BATS_FILE_TMPDIR/builder.pids"
  fi
  ids=$(docker ps -aq --filter "label=dck-workspace-test=$WT_RUN_ID")
  for name in fixture repo broken-hook; do ids="$ids $(docker ps -aq --filter "label=devcontainer-kit.workspace=$WT_RUN_ID-$name")"; done
  ids=$(echo $ids)
  local images='' cid image
  for cid in $ids; do
    image=$(docker inspect --format '{{.Config.Image}}' "$cid" 2>/dev/null) || continue
    name=$(docker inspect --format '{{index .Config.Labels "devcontainer-kit.workspace"}}' "$cid" 2>/dev/null)
    # The devcontainer CLI names images after the folder path (new per run): keep the layers for the next
    # run's build cache under one stable tag per workspace, and drop this run's names.
    docker tag "$image" "dck-workspace-test/cache:${name#"$WT_RUN_ID"-}" 2>/dev/null || true
    images="$images $image ${image%-uid}"
  done
  [ -n "$ids" ] && docker rm -f $ids >/dev/null
  for image in $images; do
    case $image in vsc-dck-workspace-test-*) docker rmi "$image" >/dev/null 2>&1 || true ;; esac
  done
  return 0
}

# wt_standin_agent_calls: how many agent connections (websocket upgrades at /me/rpc) the stand-in accepted with the right token.
wt_standin_agent_calls() {
  node -e 'fetch(process.argv[1] + "__standin/agent-calls").then((r) => r.json()).then((c) => console.log(c.length))' "$WT_STANDIN_URL"
}
