#!/usr/bin/env bats
# coder-logstream as a shell user runs it, against the Coder stand-in started as a process.
# Real: bash, node, the built CLI (dist/cli.js), the stand-in's HTTP server on 127.0.0.1.
# Emulated: coderd (tests/support/coder-standin/cli.mjs).

bats_require_minimum_version 1.5.0

setup() {
  bats_load_library bats-support
  bats_load_library bats-assert
  ROOT="$(cd "$BATS_TEST_DIRNAME/../../.." && pwd)"
  CLI="$ROOT/libs/coder-log-client/dist/cli.js"
  [ -f "$CLI" ] || (cd "$ROOT/libs/coder-log-client" && npx tsup >/dev/null 2>&1)
  CODER_STANDIN_TOKEN="$(node -p "crypto.randomUUID()")"
  export CODER_STANDIN_TOKEN
  node "$ROOT/tests/support/coder-standin/cli.mjs" >"$BATS_TEST_TMPDIR/url" 2>/dev/null &
  STANDIN_PID=$!
  for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/url" ] && break; sleep 0.1; done
  CODER_AGENT_URL=$(cat "$BATS_TEST_TMPDIR/url")
  export CODER_AGENT_URL
  export CODER_AGENT_TOKEN="$CODER_STANDIN_TOKEN"
}

teardown() {
  kill "$STANDIN_PID" 2>/dev/null || true
}

stored_logs() {
  node -e 'fetch(new URL("__standin/logs", process.argv[1])).then(r => r.json()).then(l => { for (const x of l) console.log(x.level + " " + x.output) })' "$CODER_AGENT_URL"
}

@test "wraps a command: echo unchanged, exit code passed through, lines stored with levels" {
  run --separate-stderr node "$CLI" --source-name bats --log-file "$BATS_TEST_TMPDIR/full.log" -- bash -c 'echo hello; echo oops >&2; exit 42'
  assert_equal "$status" 42
  assert_output "hello"
  run stored_logs
  assert_line "info hello"
  assert_line "error oops"
  run grep -c . "$BATS_TEST_TMPDIR/full.log"
  assert_output "2"
}

@test "streams stdin and never prints the token" {
  run bash -c "printf 'a\nb\n' | node '$CLI' --source-name piped --log-file '$BATS_TEST_TMPDIR/full.log' 2>&1"
  assert_success
  assert_output "a
b"
  refute_output --partial "$CODER_AGENT_TOKEN"
  run stored_logs
  assert_line "info a"
  assert_line "info b"
  run grep -r "$CODER_AGENT_TOKEN" "$BATS_TEST_TMPDIR/full.log"
  assert_failure
}
