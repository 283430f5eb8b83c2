#!/usr/bin/env bash
# A caching npm registry for benches: verdaccio (the repository's own devDependency) on
# 127.0.0.1:$DCK_NPM_CACHE_PORT (default 4874), proxying registry.npmjs.org and keeping every
# tarball in $DCK_CACHE/npm-cache/storage. An `npm ci` pointed at it (npm_config_registry) fetches
# from loopback once the tarballs are there, so timings no longer swing with the network.
# Starts it only when nothing answers there. stdout: the registry URL (http://127.0.0.1:PORT/).
# `npm-cache.sh stop` stops it (the storage stays).
source "$(dirname "$0")/lib.sh"
testbed_lock

PORT=${DCK_NPM_CACHE_PORT:-4874}
url="http://127.0.0.1:$PORT/"
dir="$DCK_CACHE/npm-cache"
root=$(cd "$(dirname "$0")/../.." && pwd)

if [ "${1:-}" = stop ]; then
  if [ -f "$dir/verdaccio.pid" ]; then kill "$(cat "$dir/verdaccio.pid")" 2>/dev/null || true; rm -f "$dir/verdaccio.pid"; fi
  done_msg "npm cache stopped"
  exit 0
fi

answers() { curl -fsS -o /dev/null --max-time 2 "${url}-/ping" 2>/dev/null; }

if answers; then
  done_msg "npm cache answers on $url"
  echo "$url"
  exit 0
fi

bin="$root/node_modules/.bin/verdaccio"
[ -x "$bin" ] || die "verdaccio is not installed: run npm ci at the repository root"
mkdir -p "$dir/storage"
cat > "$dir/config.yaml" <<YAML
storage: $dir/storage
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
    timeout: 60s
    # A bench wants the same answers all run long: the lockfile pins every version, so metadata
    # older than a day is still right (no uplink round trip in the middle of a measured npm ci).
    maxage: 1d
packages:
  '**':
    access: \$all
    proxy: npmjs
web:
  enable: false
log: { type: stdout, format: json, level: warn }
listen: 127.0.0.1:$PORT
YAML
say "starting verdaccio on $url (storage $dir/storage, log $dir/verdaccio.log)"
setsid "$bin" --config "$dir/config.yaml" >"$dir/verdaccio.log" 2>&1 </dev/null 9>&- &
echo $! > "$dir/verdaccio.pid"
for _ in $(seq 1 150); do answers && break; sleep 0.1; done
answers || { tail -20 "$dir/verdaccio.log" >&2; die "verdaccio did not answer on $url within 15 s (log above)"; }
done_msg "verdaccio on $url"
echo "$url"
