#!/usr/bin/env bash
# The devcontainer-builder image on the offline base (local/debian:bookworm), via the app's own
# build script (content-hashed: reused when unchanged). Needs the workspace packages' dist (moon
# build, or the tests' setup). stdout: the image tag.
source "$(dirname "$0")/lib.sh"
testbed_lock
bash "$(dirname "$0")/docker.sh" >/dev/null
tag=$(BUILDER_BASE_IMAGE=local/debian:bookworm bash "$(dirname "$0")/../../apps/devcontainer-builder/scripts/build-image.sh")
done_msg "$tag"
echo "$tag"
