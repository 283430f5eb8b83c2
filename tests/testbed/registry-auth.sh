#!/usr/bin/env bash
# Registries that need credentials, behind TLS signed by a test CA, for the enterprise tests:
#   basic  Debian's docker-registry (distribution 2.8) with htpasswd Basic auth on 127.0.0.1:$DCK_REGISTRY_BASIC_PORT (5128)
#   token  the same with token auth on 127.0.0.1:$DCK_REGISTRY_TOKEN_PORT (5129); its realm is the token issuer
#          (tests/support/token-issuer) on 127.0.0.1:$DCK_TOKEN_ISSUER_PORT (5130), plain http
# Made once in $DCK_CACHE/registry-auth with openssl: the CA (ca.crt), the registries' certificate
# (SANs 127.0.0.1, localhost), the token signing key and certificate, one user (dck-robot) with a
# random password in `password` (0600; bcrypt in htpasswd). The CA goes to /etc/docker/certs.d/<host:port>/ca.crt
# so every dockerd on this machine verifies the registries with it.
# Starts what does not answer. stdout: shell assignments (BASIC=, TOKEN=, CA=, CERT=, KEY= (the 127.0.0.1 server
# certificate, also for other TLS test servers), USER=, PASSWORD_FILE=, ISSUER_LOG=).
source "$(dirname "$0")/lib.sh"
testbed_lock

BASIC_PORT=${DCK_REGISTRY_BASIC_PORT:-5128}
TOKEN_PORT=${DCK_REGISTRY_TOKEN_PORT:-5129}
ISSUER_PORT=${DCK_TOKEN_ISSUER_PORT:-5130}
dir="$DCK_CACHE/registry-auth"
user=dck-robot
repo_root=$(cd "$(dirname "$0")/../.." && pwd)

need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v htpasswd >/dev/null || need+=(apache2-utils)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${need[*]}; install as root: apt-get install ${need[*]}"
  apt_install "${need[@]}"
fi

mkdir -p "$dir"
chmod 700 "$dir"
if [ ! -f "$dir/ca.crt" ] || [ ! -f "$dir/server.crt" ] || [ ! -f "$dir/token-signer.crt" ] || [ ! -f "$dir/htpasswd" ]; then
  say "making the test CA, the registries' certificate, the token signer and user $user in $dir"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=devcontainer-kit test CA' \
    -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 3650 \
    -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
  # The token signer: self-signed, its own root in the registry's rootcertbundle.
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=dck-token-issuer' \
    -keyout "$dir/token-signer.key" -out "$dir/token-signer.crt" 2>/dev/null
  openssl rand -hex 16 > "$dir/password"
  chmod 600 "$dir/password" "$dir"/*.key
  htpasswd -Bbn "$user" "$(cat "$dir/password")" > "$dir/htpasswd"
fi

for port in "$BASIC_PORT" "$TOKEN_PORT"; do
  mkdir -p "/etc/docker/certs.d/127.0.0.1:$port"
  cmp -s "$dir/ca.crt" "/etc/docker/certs.d/127.0.0.1:$port/ca.crt" || cp "$dir/ca.crt" "/etc/docker/certs.d/127.0.0.1:$port/ca.crt"
done

# answers URL: any HTTP answer over TLS verified with the test CA (401 included).
answers() { curl -sS -o /dev/null --max-time 2 --cacert "$dir/ca.crt" "$1" 2>/dev/null; }

start_registry() { # NAME PORT AUTH_YAML
  local name=$1 port=$2 auth=$3 rdir="$dir/$1"
  if answers "https://127.0.0.1:$port/v2/"; then say "registry $name answers on 127.0.0.1:$port"; return 0; fi
  mkdir -p "$rdir/data"
  cat > "$rdir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $rdir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  tls:
    certificate: $dir/server.crt
    key: $dir/server.key
auth:
$auth
YAML
  say "starting docker-registry $name on 127.0.0.1:$port (TLS, log $rdir/registry.log)"
  setsid docker-registry serve "$rdir/config.yml" >"$rdir/registry.log" 2>&1 </dev/null 9>&- &
  echo $! > "$rdir/registry.pid"
  for _ in $(seq 1 100); do answers "https://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  answers "https://127.0.0.1:$port/v2/" || { tail -20 "$rdir/registry.log" >&2; die "docker-registry $name did not answer on 127.0.0.1:$port within 10 s (log above)"; }
}

start_registry basic "$BASIC_PORT" "  htpasswd:
    realm: devcontainer-kit-basic
    path: $dir/htpasswd"

if ! curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$ISSUER_PORT/token"; then
  say "starting the token issuer on 127.0.0.1:$ISSUER_PORT (log $dir/token-issuer.log)"
  DCK_TOKEN_PORT=$ISSUER_PORT DCK_TOKEN_USER=$user DCK_TOKEN_PASSWORD_FILE="$dir/password" \
    DCK_TOKEN_KEY="$dir/token-signer.key" DCK_TOKEN_CERT="$dir/token-signer.crt" \
    DCK_TOKEN_ISSUER=dck-token-issuer DCK_TOKEN_SERVICE=dck-token-registry \
    setsid node "$repo_root/tests/support/token-issuer/cli.mjs" >"$dir/token-issuer.log" 2>&1 </dev/null 9>&- &
  echo $! > "$dir/token-issuer.pid"
  for _ in $(seq 1 50); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$ISSUER_PORT/token" && break; sleep 0.1; done
  curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$ISSUER_PORT/token" || { tail -20 "$dir/token-issuer.log" >&2; die "the token issuer did not answer on 127.0.0.1:$ISSUER_PORT"; }
fi

start_registry token "$TOKEN_PORT" "  token:
    realm: http://127.0.0.1:$ISSUER_PORT/token
    service: dck-token-registry
    issuer: dck-token-issuer
    rootcertbundle: $dir/token-signer.crt"

done_msg "registries with credentials: basic 127.0.0.1:$BASIC_PORT, token 127.0.0.1:$TOKEN_PORT (issuer :$ISSUER_PORT), CA $dir/ca.crt"
cat <<OUT
BASIC=127.0.0.1:$BASIC_PORT
TOKEN=127.0.0.1:$TOKEN_PORT
CA=$dir/ca.crt
CERT=$dir/server.crt
KEY=$dir/server.key
USER=$user
PASSWORD_FILE=$dir/password
ISSUER_LOG=$dir/token-issuer.log
OUT
