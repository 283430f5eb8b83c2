#!/usr/bin/env bash
# A local container registry: Debian's docker-registry package (distribution 2.8) listening on
# 127.0.0.1:$DCK_REGISTRY_PORT (default 5127), storage in $DCK_CACHE/registry/data. Docker
# treats 127.0.0.0/8 registries as insecure by default, so push/pull over plain http works.
# Starts it only when nothing answers there. stdout: the address (127.0.0.1:PORT).
# `registry.sh forget NAME` deletes repository NAME (and those below it); its blobs are freed by the
# garbage collection that runs before the registry serves (each start) or by `registry.sh collect`.
# The registry's docs allow garbage collection only while nothing pushes: run mid-suite (as `forget`
# once did), it deleted the blobs another test file had just pushed, before that file's manifest.
# `registry.sh collect` stops the registry, collects and starts it again: for benches, run alone.
source "$(dirname "$0")/lib.sh"
testbed_lock

PORT=${DCK_REGISTRY_PORT:-5127}
addr="127.0.0.1:$PORT"
dir="$DCK_CACHE/registry"

if [ "${1:-}" = forget ]; then
  name=${2:-}
  [[ "$name" =~ ^[a-z0-9][a-z0-9._/-]*$ && "$name" != *..* ]] || die "forget needs a repository name (got '$name')"
  rm -rf "$dir/data/docker/registry/v2/repositories/$name"
  done_msg "forgot repository $name (its blobs go at the next collection)"
  exit 0
fi

answers() { curl -fsS -o /dev/null --max-time 2 "http://$addr/v2/" 2>/dev/null; }

# collect_garbage: frees the blobs no manifest references. Only while the registry is not serving.
collect_garbage() {
  [ -f "$dir/config.yml" ] && [ -d "$dir/data/docker" ] || return 0
  local before after
  before=$(du -sm "$dir/data" | cut -f1)
  docker-registry garbage-collect --delete-untagged "$dir/config.yml" >/dev/null 2>&1 || say "garbage collection failed (the registry starts anyway)"
  after=$(du -sm "$dir/data" | cut -f1)
  say "garbage collection: ${before} MB -> ${after} MB"
}

if [ "${1:-}" = collect ]; then
  if [ -f "$dir/registry.pid" ] && kill "$(cat "$dir/registry.pid")" 2>/dev/null; then
    for _ in $(seq 1 50); do answers || break; sleep 0.1; done
  fi
  answers && die "something still answers on $addr: stop it before collecting"
  # Falls through to the start below, which collects before serving.
fi

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
collect_garbage
say "starting docker-registry on $addr (storage $dir/data, log $dir/registry.log)"
setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null 9>&- &
echo $! > "$dir/registry.pid"
for _ in $(seq 1 100); do answers && break; sleep 0.1; done
answers || { tail -20 "$dir/registry.log" >&2; die "docker-registry did not answer on $addr within 10 s (log above)"; }
done_msg "docker-registry $(docker-registry --version 2>/dev/null | awk '{ print $3 }') on $addr"
echo "$addr"
