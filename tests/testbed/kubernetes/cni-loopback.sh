#!/bin/sh
# A CNI plugin for the test bed's one-node cluster: the pod keeps a network namespace with only
# its loopback interface, brought up here, and the result names a 127.x address. No bridge, no
# veth, no route: every pod talks on its own 127.0.0.0/8 and nothing else.
# Protocol: CNI_COMMAND/CNI_NETNS/CNI_IFNAME in the environment, the network config on stdin,
# the result (or an error) as JSON on stdout.
set -eu
config=$(cat)
version=$(printf '%s' "$config" | sed -n 's/.*"cniVersion" *: *"\([^"]*\)".*/\1/p' | head -1)
: "${version:=0.4.0}"
fail() {
  printf '{"cniVersion":"%s","code":%s,"msg":"%s"}\n' "$version" "$1" "$2"
  exit 1
}
case "${CNI_COMMAND:-}" in
  ADD)
    [ -n "${CNI_NETNS:-}" ] || fail 4 "CNI_NETNS is not set"
    nsenter --net="$CNI_NETNS" ip link set lo up || fail 11 "cannot bring lo up in $CNI_NETNS"
    # containerd reads the pod's IP from the interface named CNI_IFNAME ("eth0"): the result names
    # that interface, with the loopback address, although the namespace has only lo.
    printf '{"cniVersion":"%s","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[{"version":"4","address":"127.0.0.1/8","interface":0}],"dns":{}}\n' \
      "$version" "${CNI_IFNAME:-eth0}" "$CNI_NETNS"
    ;;
  DEL | CHECK) ;;
  VERSION) printf '{"cniVersion":"%s","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0"]}\n' "$version" ;;
  *) fail 4 "unknown CNI_COMMAND '${CNI_COMMAND:-}'" ;;
esac
