#!/usr/bin/env bash
# An SSH git host for tests: Debian's openssh-server as its own sshd on 127.0.0.1:$DCK_SSHD_PORT (5131),
# with its own config, host key and log in $DCK_CACHE/sshd, public-key login only, for the user running
# it (git runs `git-upload-pack '<absolute path>'` over it). The package is installed with services kept
# from starting (policy-rc.d), so no system sshd ever listens on port 22.
# Made once: the host key, a client key pair (no passphrase) in authorized_keys, and known_hosts holding
# the host key for [127.0.0.1]:PORT. Starts sshd when nothing answers.
# stdout: shell assignments (PORT=, USER=, KEY=, KNOWN_HOSTS=, LOG=).
source "$(dirname "$0")/lib.sh"
testbed_lock

PORT=${DCK_SSHD_PORT:-5131}
dir="$DCK_CACHE/sshd"
user=$(id -un)

if [ ! -x /usr/sbin/sshd ]; then
  [ "$(id -u)" = 0 ] || die "openssh-server is missing; install it as root: apt-get install openssh-server"
  # Keep the package's own sshd from starting (it would listen on 0.0.0.0:22).
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  apt_install openssh-server
  [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
fi

mkdir -p "$dir"
chmod 700 "$dir"
if [ ! -f "$dir/host_ed25519_key" ] || [ ! -f "$dir/client_ed25519" ]; then
  say "making the host key and a client key pair in $dir"
  rm -f "$dir/host_ed25519_key" "$dir/host_ed25519_key.pub" "$dir/client_ed25519" "$dir/client_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -C dck-sshd-host -f "$dir/host_ed25519_key"
  ssh-keygen -q -t ed25519 -N '' -C dck-git-client -f "$dir/client_ed25519"
fi
cp "$dir/client_ed25519.pub" "$dir/authorized_keys"
printf '[127.0.0.1]:%s %s\n' "$PORT" "$(cut -d' ' -f1,2 "$dir/host_ed25519_key.pub")" > "$dir/known_hosts"
cat > "$dir/sshd_config" <<CONF
Port $PORT
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $user
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitTTY no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
LogLevel VERBOSE
CONF

answers() {
  ssh -F /dev/null -i "$dir/client_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=2 \
    -o UserKnownHostsFile="$dir/known_hosts" -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes \
    -p "$PORT" "$user@127.0.0.1" true </dev/null >/dev/null 2>&1
}

if ! answers; then
  if [ -f "$dir/sshd.pid" ] && kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null; then kill "$(cat "$dir/sshd.pid")"; sleep 0.5; fi
  mkdir -p /run/sshd
  /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd refuses its config ($dir/sshd_config)"
  say "starting sshd on 127.0.0.1:$PORT (config and log in $dir)"
  /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log" 9>&-
  for _ in $(seq 1 50); do answers && break; sleep 0.1; done
  answers || { tail -20 "$dir/sshd.log" >&2; die "sshd did not accept the client key on 127.0.0.1:$PORT (log above)"; }
fi
done_msg "sshd answers on 127.0.0.1:$PORT (user $user, public key only)"
cat <<OUT
PORT=$PORT
USER=$user
KEY=$dir/client_ed25519
KNOWN_HOSTS=$dir/known_hosts
LOG=$dir/sshd.log
OUT
