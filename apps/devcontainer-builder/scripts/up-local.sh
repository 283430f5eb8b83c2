#!/usr/bin/env bash
# `moon run devcontainer-builder:up`: the builder on this machine, against the local Docker engine,
# on a repository (default: this one, cloned from its committed HEAD — never used in place, so the
# devcontainer's `npm ci` cannot touch your node_modules). Progress and logs on the terminal unless
# CODER_AGENT_URL/CODER_AGENT_TOKEN are set. Every DEVCONTAINER_* variable can be overridden.
set -euo pipefail
app="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$app/../.." && pwd)"
: "${DCK_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/devcontainer-kit}"

if [ -z "${DEVCONTAINER_REPOSITORY:-}" ]; then
  export DEVCONTAINER_REPOSITORY="$root"
  name=devcontainer-kit
else
  name=$(basename "${DEVCONTAINER_REPOSITORY%.git}")
fi
export DEVCONTAINER_WORKSPACE_FOLDER="${DEVCONTAINER_WORKSPACE_FOLDER:-$DCK_CACHE/workspaces/$name}"
export DEVCONTAINER_WORKSPACE_NAME="${DEVCONTAINER_WORKSPACE_NAME:-local-$name}"
# Runs to completion and leaves the devcontainer running; DEVCONTAINER_SUPERVISE=true stays in the
# foreground as in the pod (Ctrl-C then stops the devcontainer).
export DEVCONTAINER_SUPERVISE="${DEVCONTAINER_SUPERVISE:-false}"

# Offline machines: this repository's devcontainer takes its base image from DCK_BASE_IMAGE/TAG.
if [ -z "${DCK_BASE_IMAGE:-}" ] && ! docker image inspect node:20-bookworm >/dev/null 2>&1 && docker image inspect local/debian:bookworm >/dev/null 2>&1; then
  export DCK_BASE_IMAGE=local/debian DCK_BASE_TAG=bookworm
  echo "up: node:20-bookworm is not here; building on local/debian:bookworm (Node from npm packages)" >&2
fi
# As root the devcontainer CLI does not match the remote user's uid: hand the checkout to uid 1000.
if [ "$(id -u)" = 0 ] && [ -z "${DEVCONTAINER_WORKSPACE_OWNER:-}" ]; then export DEVCONTAINER_WORKSPACE_OWNER=1000:1000; fi
# A TLS-intercepting proxy's CA for npm inside the devcontainer.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ] && [ -z "${DEVCONTAINER_MOUNTS:-}" ]; then
  export DEVCONTAINER_MOUNTS="type=bind,source=$NODE_EXTRA_CA_CERTS,target=/usr/local/share/dck-extra-ca.crt"
  export DEVCONTAINER_REMOTE_ENV="NODE_EXTRA_CA_CERTS=/usr/local/share/dck-extra-ca.crt"
fi
export DEVCONTAINER_STATUS_FILE="${DEVCONTAINER_STATUS_FILE:-$DCK_CACHE/workspaces/.devcontainer-builder/$name.status.json}"
echo "up: $DEVCONTAINER_REPOSITORY → $DEVCONTAINER_WORKSPACE_FOLDER (status: $DEVCONTAINER_STATUS_FILE)" >&2
exec node "$app/dist/cli.js" up "$@"
