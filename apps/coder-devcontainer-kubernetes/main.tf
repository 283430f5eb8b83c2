# Coder template: a devcontainer workspace on Kubernetes.
#
# This file holds the Coder side (parameters, agent, apps, metadata). The Kubernetes objects
# (Deployment with the builder and dind containers, PVCs, token Secret, ServiceAccount) are in
# kubernetes.tf.json, rendered from k8s-values.yaml by @devcontainer-kit/k8s-manifests:
#   npx moon run coder-devcontainer-kubernetes:render
# Do not edit kubernetes.tf.json by hand; a test fails when it differs from a fresh render.
#
# kubernetes.tf.json also holds the Pod Security check (terraform.podSecurityCheck in k8s-values.yaml): on start,
# data.kubernetes_namespace_v1.workspace reads var.namespace and its postconditions fail the plan when the
# namespace does not exist or its pod-security.kubernetes.io/enforce label is not "privileged" (the dind
# container is privileged, so the API server would accept the Deployment and refuse its pods).

terraform {
  required_version = ">= 1.5"
  required_providers {
    coder = {
      source  = "coder/coder"
      version = ">= 2.4, < 3.0" # tested with 2.20.0
    }
    kubernetes = {
      source = "hashicorp/kubernetes"
      # Only kubernetes_*_v1 resources are used, which 2.x and 3.x both have.
      # Tested with 3.2.1 (the only release line this project's offline test bed can build).
      version = ">= 2.30, < 4.0"
    }
  }
}

variable "use_kubeconfig" {
  type        = bool
  default     = false
  description = <<-EOT
    Use ~/.kube/config of the provisioner to reach the cluster. Leave false when the Coder
    provisioner runs in the cluster: it then uses its ServiceAccount (see the README for the RBAC it needs).
  EOT
}

variable "namespace" {
  type        = string
  default     = "coder-workspaces"
  description = "Namespace the workspaces run in (it must exist)."
}

variable "storage_class" {
  type        = string
  default     = ""
  description = "StorageClass of the workspace and Docker volumes; empty for the cluster's default."
}

variable "cache_repo" {
  type        = string
  default     = ""
  description = "Image reference the builder pulls build cache from and pushes it to; empty for no cache."
}

variable "registry_credentials_secret" {
  type        = string
  default     = ""
  description = <<-EOT
    Secret (in the workspace namespace) holding a docker config.json under the key .dockerconfigjson
    (kubectl create secret docker-registry …): registry credentials for base images, features and the
    build cache. Mounted as a file for the builder; empty for anonymous registries.
  EOT
}

variable "git_ssh_secret" {
  type        = string
  default     = ""
  description = <<-EOT
    Secret (in the workspace namespace) for ssh:// and git@host:path repositories: the private key under
    ssh-privatekey (kubectl create secret generic NAME --type=kubernetes.io/ssh-auth --from-file=ssh-privatekey=KEY
    --from-file=known_hosts=FILE) and the server's host key under known_hosts (strict host key checking). Empty: none.
  EOT
}

variable "ca_cert_configmap" {
  type        = string
  default     = ""
  description = <<-EOT
    ConfigMap (in the workspace namespace) holding a corporate CA bundle under the key ca.crt: trusted by the
    builder (git, the devcontainer CLI, its own HTTPS) and offered to the devcontainer (mounted at
    /usr/local/share/devcontainer-kit/ca.crt with NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, GIT_SSL_CAINFO). Empty: none.
  EOT
}

variable "code_server_version" {
  type        = string
  default     = "4.139.1"
  description = "code-server release installed into the workspace when the image has none."
}

provider "coder" {}

provider "kubernetes" {
  config_path = var.use_kubeconfig ? "~/.kube/config" : null
}

data "coder_provisioner" "me" {}
data "coder_workspace" "me" {}
data "coder_workspace_owner" "me" {}

# The clone (and push) token. Optional: public repositories need none.
data "coder_external_auth" "github" {
  id       = "github"
  optional = true
}

data "coder_parameter" "repo_url" {
  name         = "repo_url"
  display_name = "Repository"
  description  = "Git URL of the repository with the devcontainer.json."
  type         = "string"
  default      = "https://github.com/devcontainers/template-starter.git"
  mutable      = true
  order        = 1
  validation {
    regex = "^(https://|ssh://|git@).+"
    error = "Use an https://, ssh:// or git@ URL."
  }
}

data "coder_parameter" "git_branch" {
  name         = "git_branch"
  display_name = "Branch"
  description  = "Branch to check out; empty for the repository's default branch."
  type         = "string"
  default      = ""
  mutable      = true
  order        = 2
}

data "coder_parameter" "devcontainer_config" {
  name         = "devcontainer_config"
  display_name = "devcontainer.json"
  description  = "Path of the devcontainer.json inside the repository; empty to find it the usual way."
  type         = "string"
  default      = ""
  mutable      = true
  order        = 3
}

data "coder_parameter" "cpu" {
  name         = "cpu"
  display_name = "CPU cores"
  description  = "CPU limit of the Docker daemon that runs the devcontainer."
  type         = "number"
  default      = "2"
  mutable      = true
  order        = 4
  validation {
    min = 1
    max = 16
  }
}

data "coder_parameter" "memory" {
  name         = "memory"
  display_name = "Memory (GiB)"
  description  = "Memory limit of the Docker daemon that runs the devcontainer."
  type         = "number"
  default      = "4"
  mutable      = true
  order        = 5
  validation {
    min = 1
    max = 64
  }
}

data "coder_parameter" "workspaces_volume_size" {
  name         = "workspaces_volume_size"
  display_name = "Workspace volume (GiB)"
  description  = "Size of /workspaces (the clone and your changes). Kept while the workspace is stopped."
  type         = "number"
  default      = "10"
  mutable      = false
  order        = 6
  validation {
    min = 1
    max = 500
  }
}

data "coder_parameter" "docker_volume_size" {
  name         = "docker_volume_size"
  display_name = "Docker volume (GiB)"
  description  = "Size of the Docker data (images, layers, build cache). Kept while the workspace is stopped."
  type         = "number"
  default      = "30"
  mutable      = false
  order        = 7
  validation {
    min = 5
    max = 1000
  }
}

data "coder_parameter" "builder_image" {
  name         = "builder_image"
  display_name = "Builder image"
  description  = "The devcontainer-builder image that clones the repository and runs the devcontainer."
  type         = "string"
  default      = "ghcr.io/devcontainer-kit/devcontainer-builder:0.1.0"
  mutable      = true
  order        = 8
}

data "coder_parameter" "dotfiles_uri" {
  name         = "dotfiles_uri"
  display_name = "Dotfiles repository"
  description  = "Git URL of your dotfiles, cloned into the devcontainer (~/dotfiles) and installed (install.sh, bootstrap, setup…) once per container; empty for none. The devcontainer image needs git."
  type         = "string"
  default      = ""
  mutable      = true
  order        = 9
}

locals {
  # Stable across renames of the owner or the workspace; 42 characters.
  name             = "coder-${data.coder_workspace.me.id}"
  repo_name        = trimsuffix(basename(data.coder_parameter.repo_url.value), ".git")
  workspace_folder = "/workspaces/${local.repo_name}"
  storage_class    = var.storage_class == "" ? null : var.storage_class
}

resource "coder_agent" "main" {
  arch = data.coder_provisioner.me.arch
  os   = "linux"
  dir  = local.workspace_folder

  env = {
    GIT_AUTHOR_NAME     = coalesce(data.coder_workspace_owner.me.full_name, data.coder_workspace_owner.me.name)
    GIT_AUTHOR_EMAIL    = data.coder_workspace_owner.me.email
    GIT_COMMITTER_NAME  = coalesce(data.coder_workspace_owner.me.full_name, data.coder_workspace_owner.me.name)
    GIT_COMMITTER_EMAIL = data.coder_workspace_owner.me.email
  }

  metadata {
    display_name = "CPU"
    key          = "0_cpu"
    script       = "coder stat cpu"
    interval     = 10
    timeout      = 1
  }

  metadata {
    display_name = "Memory"
    key          = "1_memory"
    script       = "coder stat mem"
    interval     = 10
    timeout      = 1
  }

  metadata {
    display_name = "Disk (/workspaces)"
    key          = "2_disk"
    script       = "coder stat disk --path ${local.workspace_folder}"
    interval     = 60
    timeout      = 2
  }

  # Phase and cache outcome of the builder (cache: hit, miss, built or unknown).
  metadata {
    display_name = "Build"
    key          = "3_build"
    interval     = 30
    timeout      = 5
    script       = <<-EOT
      if command -v devcontainer-builder >/dev/null 2>&1; then
        status=$(devcontainer-builder status --json 2>/dev/null)
      else
        status=$(cat "$${DEVCONTAINER_STATUS_FILE:-/workspaces/.devcontainer-builder/status.json}" 2>/dev/null)
      fi
      status=$(printf '%s' "$status" | tr -d '\n')
      phase=$(printf '%s' "$status" | sed -n 's/.*"phase" *: *"\([^"]*\)".*/\1/p')
      cache=$(printf '%s' "$status" | sed -n 's/.*"cache" *: *"\([^"]*\)".*/\1/p')
      echo "$${phase:-unknown} (cache: $${cache:-unknown})"
    EOT
  }
}

# code-server, written here rather than taken from registry.coder.com (modules cannot be fetched offline).
resource "coder_script" "code_server" {
  agent_id           = coder_agent.main.id
  display_name       = "code-server"
  icon               = "/icon/code.svg"
  run_on_start       = true
  start_blocks_login = false
  script             = <<-EOT
    #!/bin/sh
    set -eu
    prefix="$HOME/.cache/code-server"
    bin=$(command -v code-server || true)
    if [ -z "$bin" ]; then
      bin="$prefix/bin/code-server"
      if [ ! -x "$bin" ]; then
        echo "installing code-server ${var.code_server_version} into $prefix"
        if command -v curl >/dev/null 2>&1; then fetch="curl -fsSL"; else fetch="wget -qO-"; fi
        $fetch https://code-server.dev/install.sh | sh -s -- --method=standalone --prefix="$prefix" --version=${var.code_server_version}
      fi
    fi
    echo "starting $bin on 127.0.0.1:13337"
    "$bin" --auth none --bind-addr 127.0.0.1:13337 --disable-telemetry "${local.workspace_folder}" >/tmp/code-server.log 2>&1 &
  EOT
}

resource "coder_app" "code_server" {
  agent_id     = coder_agent.main.id
  slug         = "code-server"
  display_name = "VS Code (code-server)"
  icon         = "/icon/code.svg"
  url          = "http://localhost:13337/?folder=${urlencode(local.workspace_folder)}"
  subdomain    = false
  share        = "owner"

  healthcheck {
    url       = "http://localhost:13337/healthz"
    interval  = 5
    threshold = 6
  }
}

# What the workspace page shows for the Deployment (kubernetes.tf.json).
resource "coder_metadata" "workspace" {
  count       = data.coder_workspace.me.start_count
  resource_id = kubernetes_deployment_v1.workspace[0].id

  item {
    key   = "builder image"
    value = data.coder_parameter.builder_image.value
  }
  item {
    key   = "branch"
    value = data.coder_parameter.git_branch.value == "" ? "(default branch)" : data.coder_parameter.git_branch.value
  }
  item {
    key   = "build cache"
    value = var.cache_repo == "" ? "off (live hit/miss: the agent's Build metadata)" : "${var.cache_repo} (live hit/miss: the agent's Build metadata)"
  }
  item {
    key   = "namespace"
    value = var.namespace
  }
}
