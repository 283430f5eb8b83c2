#!/usr/bin/env bats
# shellcheck disable=SC2154 # $stderr is set by bats' run --separate-stderr
# The cluster parts of the test bed that can be checked without starting a cluster: the loopback CNI
# plugin against a real network namespace, kubernetes.sh's errors, and the DinD image's argument
# convention (docker:dind's: `dockerd FLAGS…`, bare FLAGS…, or any other command). The cluster itself
# is exercised by tests/e2e/kubernetes.

bats_require_minimum_version 1.5.0

setup() {
  bats_load_library bats-support
  bats_load_library bats-assert
  TESTBED="$BATS_TEST_DIRNAME/.."
  CNI="$TESTBED/kubernetes/cni-loopback.sh"
}

teardown() {
  if [ -n "${NETNS_PID:-}" ]; then kill "$NETNS_PID" 2>/dev/null || true; fi
}

@test "cni-loopback ADD brings lo up in the pod's namespace and reports 127.0.0.1 on the interface asked for" {
  unshare --net sleep 60 &
  NETNS_PID=$!
  sleep 0.2
  netns=/proc/$NETNS_PID/ns/net
  nsenter --net="$netns" ip -o link show lo | grep -qv 'state UP'
  run --separate-stderr env CNI_COMMAND=ADD CNI_NETNS="$netns" CNI_IFNAME=eth0 sh "$CNI" <<<'{"cniVersion":"0.4.0","name":"t","type":"dck-loopback"}'
  assert_success
  echo "$output" | node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8")); if (r.cniVersion!=="0.4.0"||r.interfaces[0].name!=="eth0"||r.ips[0].address!=="127.0.0.1/8") process.exit(1)'
  nsenter --net="$netns" ip -o link show lo | grep -q 'UP'
  # No other interface appeared.
  [ "$(nsenter --net="$netns" ip -o link show | wc -l)" = 1 ]
}

@test "cni-loopback: DEL and CHECK succeed, VERSION lists versions, unknown commands and a missing netns are CNI errors" {
  run sh "$CNI" <<<'{"cniVersion":"1.0.0"}'
  assert_failure
  assert_output --partial '"code":4'
  CNI_COMMAND=DEL run sh "$CNI" <<<'{"cniVersion":"1.0.0"}'
  assert_success
  CNI_COMMAND=CHECK run sh "$CNI" <<<'{"cniVersion":"1.0.0"}'
  assert_success
  CNI_COMMAND=VERSION run sh "$CNI" <<<'{"cniVersion":"1.0.0"}'
  assert_output --partial '"supportedVersions"'
  CNI_COMMAND=ADD run sh "$CNI" <<<'{"cniVersion":"1.0.0"}'
  assert_failure
  assert_output --partial 'CNI_NETNS is not set'
}

@test "kubernetes.sh: an unknown subcommand prints the usage; status and load say the cluster is not running" {
  export DCK_K8S_RUN="$BATS_TEST_TMPDIR/run"
  run --separate-stderr bash "$TESTBED/kubernetes.sh" frobnicate
  assert_failure
  [[ "$stderr" == *"usage: kubernetes.sh [start|stop|status|load IMAGE [ALIAS...]]"* ]]
  run --separate-stderr bash "$TESTBED/kubernetes.sh" status
  assert_failure
  [[ "$stderr" == *"not running"* ]]
  run --separate-stderr bash "$TESTBED/kubernetes.sh" load local/debian:bookworm
  assert_failure
  [[ "$stderr" == *"the cluster is not running (kubernetes.sh start)"* ]]
}

@test "the DinD image runs 'dockerd FLAGS…' and bare FLAGS as dockerd, and any other command as given" {
  image=$(bash "$TESTBED/dind-image.sh" 2>/dev/null)
  run docker run --rm --network host "$image" dockerd --version
  assert_success
  assert_output --partial 'Docker version'
  run docker run --rm --network host "$image" --version
  assert_success
  assert_output --partial 'Docker version'
  run docker run --rm --network host "$image" /bin/echo as-given
  assert_success
  assert_output 'as-given'
}
