#!/bin/bash
# Stand-in for the Coder agent binary in local mode (there is no Coder deployment and no real agent
# here): served by the loopback Coder stand-in as /bin/coder-linux-amd64. `coder agent` calls
# GET /api/v2/workspaceagents/me/manifest with $CODER_AGENT_TOKEN (bash's /dev/tcp: the devcontainer
# may have no curl) until it answers 200, then stays running like an agent, as `… coder agent`.
[ "${1:-}" = agent ] || { echo "usage: coder agent" >&2; exit 2; }
url=${CODER_AGENT_URL:?CODER_AGENT_URL is not set}
hostport=${url#http://}; hostport=${hostport%%/*}
host=${hostport%:*}; port=${hostport##*:}
until
  exec 3<>"/dev/tcp/$host/$port" &&
  printf 'GET /api/v2/workspaceagents/me/manifest HTTP/1.1\r\nHost: %s\r\nCoder-Session-Token: %s\r\nUser-Agent: dck-standin-agent/1\r\nConnection: close\r\n\r\n' "$hostport" "${CODER_AGENT_TOKEN:-}" >&3 &&
  IFS= read -r status <&3 && exec 3>&- && [[ $status == *" 200 "* ]]
do
  echo "standin agent: manifest not ready (${status:-no answer}), retrying" >&2
  sleep 1
done
echo "standin agent: connected to $url" >&2
while :; do sleep 3600; done
