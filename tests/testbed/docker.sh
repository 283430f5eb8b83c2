#!/usr/bin/env bash
# A Docker engine on this machine: installs docker.io + debootstrap when missing, starts
# dockerd (bridge off: containers use --network=host and test traffic stays on loopback)
# when no daemon answers, and builds local/debian:bookworm offline with debootstrap.
# stdout: nothing. Safe to run again and again.
source "$(dirname "$0")/lib.sh"
testbed_lock

BASE_IMAGE=${DCK_BASE_IMAGE:-local/debian:bookworm}

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  [ "$(id -u)" = 0 ] || die "docker.io and debootstrap are missing; install them as root: apt-get install docker.io debootstrap"
  apt_install docker.io debootstrap
fi

if ! docker info >/dev/null 2>&1; then
  [ -n "${DOCKER_HOST:-}" ] && die "DOCKER_HOST=$DOCKER_HOST does not answer; start that daemon or unset DOCKER_HOST"
  say "starting dockerd (--bridge=none --iptables=false), log in $DCK_CACHE/dockerd.log"
  setsid dockerd --bridge=none --iptables=false >"$DCK_CACHE/dockerd.log" 2>&1 </dev/null 9>&- &
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { tail -20 "$DCK_CACHE/dockerd.log" >&2; die "dockerd did not answer within 60 s (log above)"; }
fi

if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | grep -v security | head -1)
  [ -n "$mirror" ] || mirror=$(awk '/^deb / && $0 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  root="$DCK_CACHE/debootstrap-bookworm"
  rm -rf "$root"
  say "debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$DCK_CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$DCK_CACHE/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  # apt inside images built from this base uses the same mirror.
  echo "deb $mirror bookworm main" > "$root/etc/apt/sources.list"
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' -c 'ENV LANG=C.UTF-8' - "$BASE_IMAGE" >/dev/null
  rm -rf "$root"
  say "imported $BASE_IMAGE"
fi
done_msg "docker $(docker version --format '{{.Server.Version}}') ready, $BASE_IMAGE present"
