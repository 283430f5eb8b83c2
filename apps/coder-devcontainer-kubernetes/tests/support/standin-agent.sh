#!/bin/bash
# Stand-in for the Coder agent binary in local mode (there is no Coder deployment and no real agent
# here): served by the loopback Coder stand-in as /bin/coder-linux-amd64. `coder agent` connects the
# way Coder's agent does — a websocket upgrade at GET /api/v2/workspaceagents/me/rpc with
# $CODER_AGENT_TOKEN (bash's /dev/tcp: the devcontainer may have no curl; coderd has no HTTP manifest
# route) — retrying until it answers 101, then holds the connection and stays running like an agent.
[ "${1:-}" = agent ] || { echo "usage: coder agent" >&2; exit 2; }
url=${CODER_AGENT_URL:?CODER_AGENT_URL is not set}
hostport=${url#http://}; hostport=${hostport%%/*}
host=${hostport%:*}; port=${hostport##*:}
until
  status=
  exec 3<>"/dev/tcp/$host/$port" &&
  printf 'GET /api/v2/workspaceagents/me/rpc?version=2.0 HTTP/1.1\r\nHost: %s\r\nCoder-Session-Token: %s\r\nUser-Agent: dck-standin-agent/1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: c3RhbmRpbi1hZ2VudC1rZXk=\r\n\r\n' "$hostport" "${CODER_AGENT_TOKEN:-}" >&3 &&
  IFS= read -r status <&3 && [[ $status == *" 101 "* ]]
do
  exec 3>&-
  echo "standin agent: not connected (${status:-no answer}), retrying" >&2
  sleep 1
done
echo "standin agent: connected to $url" >&2
# fd 3 stays open: the agent's connection.
while :; do sleep 3600; done
