#!/usr/bin/env bash
# Debian's shellcheck (0.9.0 on bookworm) for the root project's `shellcheck` task. Prints its path.
source "$(dirname "$0")/lib.sh"
if ! command -v shellcheck >/dev/null; then
  [ "$(id -u)" = 0 ] || die "shellcheck is missing and installing it needs root: apt-get install shellcheck"
  apt_install shellcheck
fi
done_msg "$(shellcheck --version | sed -n 's/^version: /shellcheck /p') at $(command -v shellcheck)"
command -v shellcheck
