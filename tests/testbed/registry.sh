#!/usr/bin/env bash
# A local container registry: Debian's docker-registry package (distribution 2.8) listening on
# 127.0.0.1:$DCK_REGISTRY_PORT (default 5127), storage in $DCK_CACHE/registry/data. Docker
# treats 127.0.0.0/8 registries as insecure by default, so push/pull over plain http works.
# Starts it only when nothing answers there. stdout: the address (127.0.0.1:PORT).
# `registry.sh forget NAME` deletes repository NAME (and those below it) and frees their blobs.
source "$(dirname "$0")/lib.sh"
testbed_lock

PORT=${DCK_REGISTRY_PORT:-5127}
addr="127.0.0.1:$PORT"
dir="$DCK_CACHE/registry"

if [ "${1:-}" = forget ]; then
  name=${2:-}
  [[ "$name" =~ ^[a-z0-9][a-z0-9._/-]*$ && "$name" != *..* ]] || die "forget needs a repository name (got '$name')"
  rm -rf "$dir/data/docker/registry/v2/repositories/$name"
  if [ -f "$dir/config.yml" ]; then docker-registry garbage-collect --delete-untagged "$dir/config.yml" >/dev/null 2>&1 || true; fi
  done_msg "forgot repository $name"
  exit 0
fi

answers() { curl -fsS -o /dev/null --max-time 2 "http://$addr/v2/" 2>/dev/null; }

if answers; then
  done_msg "registry answers on $addr"
  echo "$addr"
  exit 0
fi

if ! command -v docker-registry >/dev/null; then
  [ "$(id -u)" = 0 ] || die "docker-registry is missing; install it as root: apt-get install docker-registry"
  apt_install docker-registry
fi

mkdir -p "$dir/data"
cat > "$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $addr
YAML
say "starting docker-registry on $addr (storage $dir/data, log $dir/registry.log)"
setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null 9>&- &
echo $! > "$dir/registry.pid"
for _ in $(seq 1 100); do answers && break; sleep 0.1; done
answers || { tail -20 "$dir/registry.log" >&2; die "docker-registry did not answer on $addr within 10 s (log above)"; }
done_msg "docker-registry $(docker-registry --version 2>/dev/null | awk '{ print $3 }') on $addr"
echo "$addr"
