# Coder Tasks for this template (opt-in: add this file to the template to make it a task template).
#
# Coder Tasks exists on Coder v2.28 to v2.36 and on Coder's extended-support (ESR) line; new Coder
# releases from v2.37 have no Tasks (use Coder Agents there: it needs nothing from this file). The
# coder provider marks every Tasks resource deprecated, so `terraform validate` warns about them;
# that is why this file is not part of the default template (see "AI agents" in the README).
#
# What it adds, and only in a task build that starts the workspace (a plain workspace plans exactly
# as without this file, and a stopped task has none of it):
#   - the prompt in the devcontainer: CODER_TASK_PROMPT (agent environment) and the file named by
#     CODER_TASK_PROMPT_FILE, written by the script below (the prompt never becomes script text);
#   - coder_script "task": starts var.task_command inside the devcontainer (the agent runs there);
#   - coder_app "task" on var.task_port with a healthcheck, and the coder_ai_task that points at it;
#   - the secret environment var.task_env (API keys of the agent CLI), sensitive end to end.

variable "task_command" {
  type        = string
  default     = ""
  description = <<-EOT
    Shell command that starts the AI agent of a Coder Task inside the devcontainer and serves its web
    interface on task_port, e.g. "agentapi server --port 3284 -- claude". It runs in the workspace folder
    and finds the prompt in $CODER_TASK_PROMPT and in the file $CODER_TASK_PROMPT_FILE. The tool must be
    in the devcontainer image (or a feature). Required when a task is created from this template.
  EOT
}

variable "task_port" {
  type        = number
  default     = 3284
  description = "Port on 127.0.0.1 inside the devcontainer where task_command serves the task's web interface."
  validation {
    condition     = var.task_port >= 1 && var.task_port <= 65535 && floor(var.task_port) == var.task_port
    error_message = "task_port must be a whole number from 1 to 65535."
  }
}

variable "task_healthcheck_path" {
  type        = string
  default     = "/status"
  description = "Path on task_port that answers below 500 once the agent is ready (AgentAPI serves /status)."
  validation {
    condition     = startswith(var.task_healthcheck_path, "/")
    error_message = "task_healthcheck_path must start with \"/\"."
  }
}

variable "task_env" {
  type        = map(string)
  default     = {}
  sensitive   = true
  description = "Secret environment of the task agent (e.g. ANTHROPIC_API_KEY), set only in task builds. Names are shown, values never."
}

# Read on every build; enabled only when Coder (v2.28 and later) builds a task.
data "coder_task" "me" {
  lifecycle {
    postcondition {
      condition     = !self.enabled || trimspace(var.task_command) != ""
      error_message = "This workspace is a Coder Task, but the template variable \"task_command\" is empty: set it to the command that starts your AI agent (coder templates push --variable task_command=...)."
    }
  }
}

locals {
  # 1 in a task build that starts the workspace, else 0: every task resource uses it.
  task_count       = data.coder_task.me.enabled ? data.coder_workspace.me.start_count : 0
  task_prompt_file = "/tmp/coder-task/prompt.txt"
}

resource "coder_env" "task_prompt" {
  count    = local.task_count
  agent_id = coder_agent.main.id
  name     = "CODER_TASK_PROMPT"
  value    = data.coder_task.me.prompt
}

resource "coder_env" "task_prompt_file" {
  count    = local.task_count
  agent_id = coder_agent.main.id
  name     = "CODER_TASK_PROMPT_FILE"
  value    = local.task_prompt_file
}

resource "coder_env" "task_secret" {
  # The names are not secret; the values stay sensitive (shown as "(sensitive value)" in plans).
  for_each = local.task_count == 1 ? nonsensitive(toset(keys(var.task_env))) : toset([])
  agent_id = coder_agent.main.id
  name     = each.key
  value    = var.task_env[each.key]
}

resource "coder_script" "task" {
  count              = local.task_count
  agent_id           = coder_agent.main.id
  display_name       = "AI agent (task)"
  icon               = "/icon/widgets.svg"
  run_on_start       = true
  start_blocks_login = false
  # The prompt arrives through the environment only; the admin's command is written out with a quoted
  # here-document, so neither is ever parsed as part of this script.
  script = <<-EOT
    #!/bin/sh
    set -eu
    dir=$(dirname "$CODER_TASK_PROMPT_FILE")
    mkdir -p "$dir"
    chmod 700 "$dir"
    printf '%s' "$${CODER_TASK_PROMPT:-}" >"$CODER_TASK_PROMPT_FILE"
    cat >"$dir/command.sh" <<'DEVCONTAINER_KIT_TASK_COMMAND'
    ${var.task_command}
    DEVCONTAINER_KIT_TASK_COMMAND
    export CODER_TASK_PORT=${var.task_port}
    cd "${local.workspace_folder}" 2>/dev/null || cd "$HOME"
    echo "starting the task agent in $(pwd), web interface on 127.0.0.1:$CODER_TASK_PORT; log: $dir/agent.log"
    nohup sh "$dir/command.sh" >"$dir/agent.log" 2>&1 </dev/null &
    echo $! >"$dir/agent.pid"
  EOT
}

resource "coder_app" "task" {
  count        = local.task_count
  agent_id     = coder_agent.main.id
  slug         = "task-agent"
  display_name = "AI agent"
  icon         = "/icon/widgets.svg"
  url          = "http://localhost:${var.task_port}/"
  subdomain    = false
  share        = "owner"

  healthcheck {
    url       = "http://localhost:${var.task_port}${var.task_healthcheck_path}"
    interval  = 5
    threshold = 60
  }
}

resource "coder_ai_task" "task" {
  count  = local.task_count
  app_id = coder_app.task[0].id
}

# Presets: Tasks show no parameter form (only the prompt), so a task picks its workspace through a
# preset. Add one per repository your agents work on; parameters not set here keep their defaults.
data "coder_workspace_preset" "small" {
  name        = "Small: review and small fixes"
  description = "2 CPU cores, 4 GiB, 10 GiB workspace volume, 30 GiB Docker volume."
  parameters = {
    cpu                    = "2"
    memory                 = "4"
    workspaces_volume_size = "10"
    docker_volume_size     = "30"
  }
}

data "coder_workspace_preset" "standard" {
  name        = "Standard: features and tests"
  description = "4 CPU cores, 8 GiB, 20 GiB workspace volume, 50 GiB Docker volume."
  default     = true
  parameters = {
    cpu                    = "4"
    memory                 = "8"
    workspaces_volume_size = "20"
    docker_volume_size     = "50"
  }
}

data "coder_workspace_preset" "large" {
  name        = "Large: heavy builds and many containers"
  description = "8 CPU cores, 16 GiB, 50 GiB workspace volume, 150 GiB Docker volume."
  parameters = {
    cpu                    = "8"
    memory                 = "16"
    workspaces_volume_size = "50"
    docker_volume_size     = "150"
  }
}
