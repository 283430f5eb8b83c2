#!/usr/bin/env bash
# A Docker-in-Docker image built offline (FROM local/debian:bookworm + Debian's docker.io), for the
# pod topology tests: the inner dockerd listens on unix:///run/dind/docker.sock (group 2375, the
# builder image's socket group). Tagged by content hash, reused when present. stdout: the image tag.
source "$(dirname "$0")/lib.sh"
testbed_lock
bash "$(dirname "$0")/docker.sh" >/dev/null

ctx="$DCK_CACHE/dind-image-context"
rm -rf "$ctx" && mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && groupadd --gid 2375 docker-socket
COPY dind-entrypoint.sh /usr/local/bin/dind-entrypoint.sh
ENTRYPOINT ["/bin/sh", "/usr/local/bin/dind-entrypoint.sh"]
DOCKERFILE
cat >"$ctx/dind-entrypoint.sh" <<'ENTRY'
#!/bin/sh
# The pod's DinD sidecar: the daemon on a socket in a shared volume; bridge off (host network).
set -eu
mkdir -p /run/dind
rm -f /run/dind/docker.sock /var/run/docker.pid
exec dockerd --bridge=none --iptables=false --cgroup-parent=/dind --host=unix:///run/dind/docker.sock --group 2375 "$@"
ENTRY
hash=$(cat "$ctx/Dockerfile" "$ctx/dind-entrypoint.sh" <(docker image inspect --format '{{.Id}}' local/debian:bookworm) | sha256sum | cut -c1-16)
tag="dck-testbed/dind:$hash"
if docker image inspect "$tag" >/dev/null 2>&1; then
  done_msg "cached $tag"
else
  docker build --network host -q -t "$tag" "$ctx" >"$DCK_CACHE/dind-image-build.log" 2>&1 || { tail -20 "$DCK_CACHE/dind-image-build.log" >&2; die "docker build failed"; }
  done_msg "built $tag"
fi
echo "$tag"
