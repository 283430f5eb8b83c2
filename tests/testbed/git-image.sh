#!/usr/bin/env bash
# A devcontainer base image with git (FROM local/debian:bookworm + Debian's git), for tests of what
# runs git inside the devcontainer (the devcontainer CLI's dotfiles clone). Built once with the host
# network (apt from the Debian mirror), tagged local/debian-git:bookworm. stdout: the image tag.
source "$(dirname "$0")/lib.sh"
testbed_lock
bash "$(dirname "$0")/docker.sh" >/dev/null

tag=local/debian-git:bookworm
if docker image inspect "$tag" >/dev/null 2>&1; then
  done_msg "$tag present"
  echo "$tag"
  exit 0
fi
ctx="$DCK_CACHE/git-image-context"
rm -rf "$ctx" && mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM local/debian:bookworm
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git >/dev/null \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
DOCKERFILE
say "building $tag (Debian's git on local/debian:bookworm)"
docker build -q --network host -t "$tag" "$ctx" >/dev/null
done_msg "$tag built"
echo "$tag"
