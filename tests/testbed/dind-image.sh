#!/usr/bin/env bash
# A Docker-in-Docker image built offline (FROM local/debian:bookworm + Debian's docker.io), for the
# pod topology tests. Its entrypoint follows the official docker:dind argument convention, so the
# rendered Deployment (args `dockerd --host=… --group=… …`) runs it unchanged:
#   no arguments        dockerd on unix:///run/dind/docker.sock (group 2375, the builder image's
#                       socket group), containers under the /dind cgroup
#   dockerd FLAGS...    that dockerd command line; FLAGS... alone (first one starting with -) too
#   anything else       run as given
# To every dockerd it adds this test bed's network rule, `--bridge=none --iptables=false` (no
# bridge anywhere; devcontainers use the host network), unless the arguments already say.
# Tagged by content hash, reused when present. stdout: the image tag.
source "$(dirname "$0")/lib.sh"
testbed_lock
bash "$(dirname "$0")/docker.sh" >/dev/null

ctx="$DCK_CACHE/dind-image-context"
rm -rf "$ctx" && mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
# The debootstrap base has no PATH in its config; exec probes (`docker version`) need one.
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && groupadd --gid 2375 docker-socket
COPY dind-entrypoint.sh /usr/local/bin/dind-entrypoint.sh
ENTRYPOINT ["/bin/sh", "/usr/local/bin/dind-entrypoint.sh"]
DOCKERFILE
cat >"$ctx/dind-entrypoint.sh" <<'ENTRY'
#!/bin/sh
# The pod's DinD sidecar, docker:dind's argument convention (see dind-image.sh).
set -eu
[ $# -eq 0 ] && set -- dockerd --host=unix:///run/dind/docker.sock --group 2375 --cgroup-parent=/dind
case "$1" in -*) set -- dockerd "$@" ;; esac
[ "$1" = dockerd ] || exec "$@"
shift
extra=
case " $* " in *" --bridge"*|*" -b "*) ;; *) extra="--bridge=none" ;; esac
case " $* " in *" --iptables"*) ;; *) extra="$extra --iptables=false" ;; esac
# A socket or pid file left by an earlier run of this container (volumes outlive it).
for arg in "$@"; do
  case "$arg" in --host=unix://*) sock=${arg#--host=unix://}; mkdir -p "$(dirname "$sock")"; rm -f "$sock" ;; esac
done
rm -f /var/run/docker.pid
# shellcheck disable=SC2086 # $extra is a list of flags
exec dockerd $extra "$@"
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
