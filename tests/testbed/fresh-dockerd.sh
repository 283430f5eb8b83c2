#!/usr/bin/env bash
# A second, empty Docker daemon for tests that need a fresh image store (e.g. "the image comes
# from the registry, no build step runs"), next to the machine's daemon.
#   fresh-dockerd.sh start NAME   starts it (data and exec roots in /tmp/NAME, socket /tmp/NAME.sock)
#                                 unless it answers already; stdout: its DOCKER_HOST
#   fresh-dockerd.sh stop NAME    stops it and deletes its directories
# NAME must be a plain name (letters, digits, dashes), prefixed by the caller's package.
# Bridge and iptables are off like the main daemon's: containers and builds use --network=host.
source "$(dirname "$0")/lib.sh"

action=${1:-}; name=${2:-}
[[ "$name" =~ ^[a-zA-Z0-9-]+$ ]] || die "usage: fresh-dockerd.sh start|stop NAME"
dir="/tmp/$name"; sock="/tmp/$name.sock"; host="unix://$sock"

answers() { DOCKER_HOST=$host docker info >/dev/null 2>&1; }

case "$action" in
  start)
    command -v dockerd >/dev/null || bash "$(dirname "$0")/docker.sh"
    if answers; then done_msg "dockerd $name answers on $host"; echo "$host"; exit 0; fi
    mkdir -p "$dir/data" "$dir/exec"
    setsid dockerd --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$dir/dockerd.pid" \
      --host "$host" --bridge=none --iptables=false >"$dir/dockerd.log" 2>&1 </dev/null &
    for _ in $(seq 1 120); do answers && break; sleep 0.25; done
    answers || { tail -20 "$dir/dockerd.log" >&2; die "dockerd $name did not answer within 30 s (log above)"; }
    done_msg "dockerd $name (empty, data in $dir/data) answers on $host"
    echo "$host"
    ;;
  stop)
    if [ -f "$dir/dockerd.pid" ]; then
      pid=$(cat "$dir/dockerd.pid")
      DOCKER_HOST=$host docker ps -aq 2>/dev/null | xargs -r env "DOCKER_HOST=$host" docker rm -f >/dev/null 2>&1 || true
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 80); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    # Leftover mounts (overlay layers, shm) below the directories, deepest first.
    awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
    rm -rf "$dir" "$sock"
    done_msg "dockerd $name stopped and removed"
    ;;
  *) die "usage: fresh-dockerd.sh start|stop NAME" ;;
esac
