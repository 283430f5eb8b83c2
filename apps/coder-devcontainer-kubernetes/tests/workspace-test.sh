#!/usr/bin/env bash
# Entry point of `moon run coder-devcontainer-kubernetes:workspace_test`: runs workspace-test.bats in the mode
# the environment selects (remote with CODER_URL + CODER_SESSION_TOKEN, local otherwise) and, in remote mode,
# deletes every workspace it created on exit — also on failure, Ctrl-C or SIGTERM (bats' teardown_file does
# too; this trap covers an interrupted bats).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
export WT_STATE
WT_STATE=$(mktemp "${TMPDIR:-/tmp}/dck-workspace-test-remote.XXXXXX")
cleanup() {
  if [ -n "${CODER_URL:-}" ] && [ -n "${CODER_SESSION_TOKEN:-}" ] && [ -s "$WT_STATE" ]; then
    while read -r ws; do if [ -n "$ws" ]; then coder delete "$ws" --yes >/dev/null 2>&1 || true; fi; done < "$WT_STATE"
  fi
  rm -f "$WT_STATE"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
if [ -n "${CODER_URL:-}" ] && [ -n "${CODER_SESSION_TOKEN:-}" ]; then
  echo "workspace_test: remote mode against $CODER_URL" >&2
else
  echo "workspace_test: local mode (no CODER_URL/CODER_SESSION_TOKEN): Docker engine + loopback Coder stand-in" >&2
fi
report=()
# Under `npm test` (tests/run-all.mjs) the TAP report goes next to the other suites' reports.
if [ -n "${DCK_REPORT_DIR:-}" ]; then
  mkdir -p "$DCK_REPORT_DIR/workspace_test"
  report=(--report-formatter tap --output "$DCK_REPORT_DIR/workspace_test")
fi
BATS_LIB_PATH="$root/node_modules" "$root/node_modules/bats/bin/bats" --timing "${report[@]}" "$here/workspace-test.bats"
