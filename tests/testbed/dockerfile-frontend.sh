#!/usr/bin/env bash
# BuildKit's Dockerfile frontend (github.com/moby/buildkit, the `docker/dockerfile` image's
# binary) built from its Go module and pushed as an image to the test bed registry, for
# `# syntax=<registry>/dck/dockerfile:<version>`. dockerd 20.10's built-in BuildKit (v0.8) parses
# Dockerfiles with frontend 1.2 (RUN --mount, COPY --chmod) but not heredocs or COPY --link (1.4+);
# a syntax line fetches a newer frontend from a registry, and Docker Hub is unreachable here.
# stdout: the image reference to put after `# syntax=`.
source "$(dirname "$0")/lib.sh"
testbed_lock
BUILDKIT_VERSION=${BUILDKIT_VERSION:-v0.34.2}
registry=$(bash "$(dirname "$0")/registry.sh")
ref="$registry/dck/dockerfile:${BUILDKIT_VERSION#v}"
out="$DCK_CACHE/bin/dockerfile-frontend-$BUILDKIT_VERSION"
if [ ! -x "$out" ]; then
  command -v go >/dev/null || die "Go is not installed; the test bed builds the Dockerfile frontend from the Go module proxy"
  say "building the Dockerfile frontend of BuildKit $BUILDKIT_VERSION from the Go module proxy"
  go_build_pinned dockerfile-frontend "github.com/moby/buildkit@$BUILDKIT_VERSION" \
    github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend "$out"
fi
if curl -fsS -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' "http://$registry/v2/dck/dockerfile/manifests/${BUILDKIT_VERSION#v}" 2>/dev/null; then
  done_msg "$ref present"
else
  ctx=$(mktemp -d)
  cp "$out" "$ctx/dockerfile-frontend"
  # The labels the upstream image carries: BuildKit runs the frontend without network.
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
COPY dockerfile-frontend /bin/dockerfile-frontend
ENTRYPOINT ["/bin/dockerfile-frontend"]
DOCKERFILE
  docker build -q -t "$ref" "$ctx" >/dev/null
  docker push -q "$ref" >/dev/null
  rm -rf "$ctx"
  done_msg "built and pushed $ref"
fi
echo "$ref"
