#!/usr/bin/env bash
# Kubernetes v1.35 server and client binaries (kube-apiserver, kube-controller-manager,
# kube-scheduler, kubelet, kubectl), built from the Go module proxy, cached in $DCK_CACHE/k8s/bin.
# `go install k8s.io/kubernetes/cmd/...@v` is refused (kubernetes' go.mod replaces its staging
# modules with ./staging paths), so a throwaway module requires k8s.io/kubernetes and replaces
# each staging module with its published v0.x twin. One `go build` builds all five so they share
# the compile work; GOCACHE/GOMODCACHE make a rebuild fast.
# stdout: the directory holding the binaries.
source "$(dirname "$0")/lib.sh"
testbed_lock
K8S_VERSION=${DCK_K8S_VERSION:-v1.35.4}
staging_version=v0.${K8S_VERSION#v1.}
bin="$DCK_CACHE/k8s/bin"
tools=(kube-apiserver kube-controller-manager kube-scheduler kubelet kubectl)

have_all() {
  local t
  for t in "${tools[@]}"; do [ -x "$bin/$t" ] || return 1; done
  [ "$(cat "$bin/VERSION" 2>/dev/null)" = "$K8S_VERSION" ]
}

if have_all; then
  done_msg "Kubernetes $K8S_VERSION binaries present in $bin"
  echo "$bin"
  exit 0
fi
command -v go >/dev/null || die "Go is not installed; the test bed builds Kubernetes from the Go module proxy (install Go >= 1.25)"
dir="$DCK_CACHE/go-src/kubernetes"
mkdir -p "$dir" "$bin"
proxy=$(go env GOPROXY | cut -d, -f1)
say "building Kubernetes $K8S_VERSION (${tools[*]}) from the Go module proxy: about 25 min cold on 2 cores, a minute with a warm Go build cache"
mod=$(curl -fsS "$proxy/k8s.io/kubernetes/@v/$K8S_VERSION.mod") || die "cannot fetch k8s.io/kubernetes $K8S_VERSION's go.mod from $proxy"
{
  printf 'module testbed/kubernetes\n\ngo 1.25.0\n\ngodebug default=go1.25\n\nrequire k8s.io/kubernetes %s\n\n' "$K8S_VERSION"
  # Each `k8s.io/x => ./staging/src/k8s.io/x` line of kubernetes' go.mod becomes a replace by version.
  printf '%s\n' "$mod" | awk -v v="$staging_version" '$2 == "=>" && $3 ~ /^\.\/staging\// { printf "replace %s => %s %s\n", $1, $1, v }'
} > "$dir/go.mod"
printf 'package tools\n\nimport (\n' > "$dir/tools.go"
for t in "${tools[@]}"; do printf '\t_ "k8s.io/kubernetes/cmd/%s"\n' "$t" >> "$dir/tools.go"; done
printf ')\n' >> "$dir/tools.go"
sed -i '1i //go:build tools\n' "$dir/tools.go"
commit=$(printf '%s' "$mod" | sha1sum | cut -c1-40)
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=${K8S_VERSION#v1.} -X $pkg.gitTreeState=clean -X $pkg.gitCommit=$commit -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
ldflags=${ldflags//gitMinor=${K8S_VERSION#v1.}/gitMinor=$(echo "${K8S_VERSION#v1.}" | cut -d. -f1)}
pkgs=()
for t in "${tools[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$t"); done
rm -rf "$dir/out" && mkdir -p "$dir/out"
(cd "$dir" && GOFLAGS=-mod=mod go mod download k8s.io/kubernetes >&2 && GOFLAGS=-mod=mod go mod tidy >&2 \
  && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "$ldflags" -o out/ "${pkgs[@]}") >&2 \
  || die "building Kubernetes failed (output above)"
for t in "${tools[@]}"; do mv "$dir/out/$t" "$bin/$t"; done
echo "$K8S_VERSION" > "$bin/VERSION"
"$bin/kubectl" version --client 2>/dev/null | head -1 >&2 || true
done_msg "built Kubernetes $K8S_VERSION into $bin"
echo "$bin"
