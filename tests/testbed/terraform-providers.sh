#!/usr/bin/env bash
# Terraform providers coder/coder and hashicorp/kubernetes, built from their Go modules into
# a filesystem mirror, plus a Terraform CLI config that installs only from it.
# stdout: the path of the CLI config file (point TF_CLI_CONFIG_FILE at it).
source "$(dirname "$0")/lib.sh"
testbed_lock

# coder/coder: the v2 module path exists, tags resolve.
CODER_VERSION=2.20.0
CODER_MODULE=github.com/coder/terraform-provider-coder/v2@v$CODER_VERSION
# hashicorp/kubernetes: tags v2+ have no /vN module path, so only commit pseudo-versions resolve;
# the module proxy here serves this one (the 3.2.1 release line, see its CHANGELOG).
KUBERNETES_VERSION=3.2.1
KUBERNETES_MODULE=github.com/hashicorp/terraform-provider-kubernetes@v1.13.4-0.20260821094251-3a33fb6cc605

mirror="$DCK_CACHE/terraform/mirror"
rc="$DCK_CACHE/terraform/terraformrc"

provider() { # NAMESPACE TYPE VERSION MODULE@VER
  local ns=$1 type=$2 version=$3 modver=$4
  local out="$mirror/registry.terraform.io/$ns/$type/$version/linux_amd64/terraform-provider-${type}_v$version"
  if [ -x "$out" ]; then say "$ns/$type $version present"; return; fi
  command -v go >/dev/null || die "Go is not installed; the test bed builds Terraform providers from the Go module proxy"
  say "building $ns/$type $version from $modver (a few minutes on 2 cores the first time)"
  local pkg=${modver%@*}
  go_build_pinned "terraform-provider-$type" "$modver" "$pkg" "$out"
}

provider coder coder "$CODER_VERSION" "$CODER_MODULE"
provider hashicorp kubernetes "$KUBERNETES_VERSION" "$KUBERNETES_MODULE"

mkdir -p "$(dirname "$rc")"
cat > "$rc.tmp" <<RC
# Written by tests/testbed/terraform-providers.sh: install providers only from the local mirror.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
RC
# No plugin_cache_dir: every `terraform init` re-creates its cache entries, and a working
# directory's providers link through them, so an init in one test file made another file's running
# plan miss its provider (Terraform documents the cache as not safe for concurrent use). From an
# unpacked filesystem mirror, init links a working directory's providers straight into the mirror,
# which nothing rewrites once built.
mv "$rc.tmp" "$rc"
done_msg "providers coder/coder $CODER_VERSION, hashicorp/kubernetes $KUBERNETES_VERSION in $mirror"
echo "$rc"
