#!/usr/bin/env bash
# The whole test bed, idempotent: Docker engine + local/debian:bookworm, goss, Terraform providers,
# the Kubernetes binaries (the cluster itself is started and stopped by the test that uses it:
# tests/e2e/kubernetes, through kubernetes.sh). The Go builds (CPU) run while debootstrap (network
# and disk) runs. Each part prints what it did
# and how long it took; the cache sizes come last.
source "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
bash "$here/goss.sh" >/dev/null &
goss_pid=$!
bash "$here/terraform-providers.sh" >/dev/null &
providers_pid=$!
bash "$here/kubernetes-binaries.sh" >/dev/null &
kubernetes_pid=$!
# buildx and compose (docker CLI plugins from their Go modules): ~4.5 min each cold, in parallel.
bash "$here/buildx.sh" >/dev/null &
buildx_pid=$!
bash "$here/compose.sh" >/dev/null &
compose_pid=$!
failed=()
bash "$here/docker.sh" || failed+=(docker)
bash "$here/shellcheck.sh" >/dev/null || failed+=(shellcheck)
wait "$goss_pid" || failed+=(goss)
wait "$providers_pid" || failed+=(terraform-providers)
wait "$kubernetes_pid" || failed+=(kubernetes-binaries)
wait "$buildx_pid" || failed+=(buildx)
wait "$compose_pid" || failed+=(compose)
# BuildKit's Dockerfile frontend for `# syntax=` (needs the Go cache buildx filled, docker and the registry).
[[ " ${failed[*]} " == *" docker "* ]] || bash "$here/dockerfile-frontend.sh" >/dev/null || failed+=(dockerfile-frontend)
for extra in "$here"/setup.d/*.sh; do
  [ -e "$extra" ] || continue
  bash "$extra" >/dev/null || failed+=("$(basename "$extra")")
done
[ ${#failed[@]} -eq 0 ] || die "failed: ${failed[*]} (their messages are above)"
say "caches: $(du -sh "$DCK_CACHE" 2>/dev/null | cut -f1) in $DCK_CACHE, Go build cache $(du -sh "$(go env GOCACHE)" 2>/dev/null | cut -f1), Go modules $(du -sh "$(go env GOMODCACHE)" 2>/dev/null | cut -f1), docker $(docker system df --format '{{.Type}} {{.Size}}' 2>/dev/null | tr '\n' ' ')"
done_msg "test bed ready"
