#!/usr/bin/env bash
# A real one-node Kubernetes cluster on this machine, on 127.0.0.1 only:
#   etcd (Debian's etcd-server) → kube-apiserver → kube-controller-manager + kube-scheduler →
#   a private containerd (Debian's, its own root/state/socket) + kubelet, both in a private mount
#   namespace. Binaries v1.35 from kubernetes-binaries.sh; certificates made here with openssl.
#
#   kubernetes.sh [start]         start what is not running (idempotent). stdout: one JSON line
#                                 {kubeconfig, bin, containerd, node, startupSeconds, memoryMiB}
#   kubernetes.sh stop            stop everything by PID, remove what it made (cgroups, state)
#   kubernetes.sh status          exit 0 when the node is Ready; stdout: the same JSON line
#   kubernetes.sh load IMAGE [ALIAS...]
#                                 copy a local Docker image into the cluster's containerd
#                                 (docker save | ctr import), tagged also as each ALIAS
#
# What this VM needs (see ../shared/TESTBED.md): cgroup v1 is allowed explicitly; no
# CAP_SYS_RESOURCE, so containerd's CRI restricts oom_score_adj; the kubelet's kernel tunables are
# files bind-mounted over /proc/sys inside the private mount namespace (the host's settings stay
# as they are); no registry, so a pause image is built here; pods get only their loopback
# (tests/testbed/kubernetes/cni-loopback.sh); the Node's address is patched to its hostname.
# Inside the namespace tmpfs hide /run/containerd, /run/netns, /var/log/pods and
# /var/log/containers, so nothing of containerd's or the kubelet's run state reaches the host.
source "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-start}

K8S="$DCK_CACHE/k8s"
PKI="$K8S/pki"
STATE="$K8S/state"            # wiped on every start: a fresh cluster each time
CTR_ROOT="$K8S/containerd"    # kept: imported images survive a stop
RUN=${DCK_K8S_RUN:-/run/dck-k8s}
LOGS="$STATE/logs"
ETCD_PORT=${DCK_K8S_ETCD_PORT:-12379}
API_PORT=${DCK_K8S_API_PORT:-16443}
NODE=$(hostname)
SOCK="$RUN/containerd.sock"
KUBECONFIG_FILE="$PKI/admin.kubeconfig"
bin="$K8S/bin"

# pid_alive NAME: the recorded process of NAME still runs (and is that program: /run survives a
# reboot on this machine, and a recorded pid may since belong to something else).
pid_alive() {
  local pid program=$1
  [ -f "$RUN/$1.pid" ] || return 1
  pid=$(cat "$RUN/$1.pid")
  [ "$1" = node-namespace ] && program=unshare
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$program"
}
kubectl() { "$bin/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# Resident memory (MiB) of the cluster's processes: the daemons and containerd's shims.
memory_mib() {
  local total=0 p rss
  for p in $(cluster_pids) $(shim_pids); do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
    total=$((total + ${rss:-0}))
  done
  echo $((total / 1024))
}
cluster_pids() { local n; for n in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet; do pid_alive "$n" && cat "$RUN/$n.pid"; done; true; }
# containerd-shim-runc-v2 processes of this containerd (their command line names its socket).
shim_pids() {
  local f
  for f in /proc/[0-9]*/cmdline; do
    { tr '\0' ' ' <"$f"; } 2>/dev/null | grep -q -- "-address $SOCK " && { f=${f#/proc/}; echo "${f%/cmdline}"; }
  done
  true
}

summary() {
  printf '{"kubeconfig":"%s","bin":"%s","containerd":"%s","node":"%s","startupSeconds":%s,"memoryMiB":%s}\n' \
    "$KUBECONFIG_FILE" "$bin" "$SOCK" "$NODE" "$(cat "$RUN/startup-seconds" 2>/dev/null || echo null)" "$(memory_mib)"
}

node_ready() {
  [ "$(kubectl get node "$NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

running() {
  local n
  for n in etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet; do pid_alive "$n" || return 1; done
  node_ready
}

# stop_pid NAME [SECONDS]: SIGTERM, then SIGKILL after SECONDS.
stop_pid() {
  local name=$1 wait=${2:-10} pid
  [ -f "$RUN/$name.pid" ] || return 0
  pid=$(cat "$RUN/$name.pid")
  if pid_alive "$name"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((wait * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

# containerd puts each container in a cgroup k8s.io/<id> of every hierarchy (cgroup v1). The k8s.io
# dirs this run created go entirely; in one that was there before, only this cluster's containers.
remove_cgroups() {
  local d id
  for id in "$@"; do
    for d in /sys/fs/cgroup/*/k8s.io/"$id"; do [ -d "$d" ] && rmdir "$d" 2>/dev/null; done
  done
  if [ -f "$RUN/created-cgroups" ]; then
    while read -r d; do
      [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
    done <"$RUN/created-cgroups"
  fi
  true
}

stop_cluster() {
  local t0=$SECONDS p
  # The node's kubelet restart loop (node_script) stops starting kubelets.
  [ -d "$RUN" ] && : >"$RUN/stopping"
  # Pods first, gracefully, while the kubelet can still stop them (DinD gets its SIGTERM).
  if pid_alive kube-apiserver && pid_alive kubelet; then
    kubectl delete pods --all --all-namespaces --grace-period=10 --timeout=30s --wait >/dev/null 2>&1 || true
  fi
  stop_pid kube-scheduler
  stop_pid kube-controller-manager
  stop_pid kubelet 20
  local ids=()
  if pid_alive containerd; then
    mapfile -t ids < <(ctr_k8s containers ls -q 2>/dev/null)
    # Whatever the kubelet left running: kill the tasks and remove the containers.
    for p in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s SIGKILL "$p" >/dev/null 2>&1 || true; done
    sleep 0.5
    for p in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks rm -f "$p" >/dev/null 2>&1 || true; done
    for p in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers rm "$p" >/dev/null 2>&1 || true; done
  fi
  stop_pid containerd 10
  for p in $(shim_pids); do kill -KILL "$p" 2>/dev/null || true; done
  stop_pid node-namespace 5
  stop_pid kube-apiserver
  stop_pid etcd
  remove_cgroups "${ids[@]}"
  # Mount points the namespace needed on the host, removed when this script created them.
  if [ -f "$RUN/created-dirs" ]; then
    tac "$RUN/created-dirs" | while read -r d; do rmdir "$d" 2>/dev/null || true; done
  fi
  rm -rf "$RUN"
  say "stopped ($((SECONDS - t0))s)"
}

ctr_k8s() { ctr --address "$SOCK" --namespace k8s.io "$@"; }

wait_for() { # wait_for WHAT SECONDS COMMAND...
  local what=$1 secs=$2
  shift 2
  for _ in $(seq 1 $((secs * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  die "$what did not come up within ${secs}s; its log: $LOGS (tail above)"
}

make_pki() {
  [ -f "$PKI/done" ] && return 0
  rm -rf "$PKI" && mkdir -p "$PKI" && cd "$PKI"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=dck-testbed-kubernetes-ca 2>/dev/null
  sign() { # sign NAME SUBJECT [SAN]
    openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    if [ -n "${3:-}" ]; then printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" >"$1.ext"
    else printf 'extendedKeyUsage=clientAuth\n' >"$1.ext"; fi
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 3650 -extfile "$1.ext" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
  }
  sign apiserver /CN=kube-apiserver "IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:$NODE,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  sign admin "/O=system:masters/CN=dck-testbed-admin"
  sign node "/O=system:nodes/CN=system:node:$NODE"
  openssl genrsa -out sa.key 2048 2>/dev/null
  openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
  for who in admin node; do
    cat >"$who.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: dck-testbed
  cluster: {server: "https://127.0.0.1:$API_PORT", certificate-authority: "$PKI/ca.crt"}
users:
- name: $who
  user: {client-certificate: "$PKI/$who.crt", client-key: "$PKI/$who.key"}
contexts:
- name: dck-testbed
  context: {cluster: dck-testbed, user: $who}
current-context: dck-testbed
EOF
  done
  chmod 600 ./*.key
  touch ./done
  cd - >/dev/null
  say "made certificates in $PKI"
}

# The sandbox ("pause") image: a static Go program in a scratch image, named by its sources' hash.
pause_image_name() {
  local src="$here/kubernetes/pause"
  echo "docker.io/dck-testbed/pause:$(cat "$src/go.mod" "$src/main.go" | sha256sum | cut -c1-12)"
}

import_pause_image() {
  local src="$here/kubernetes/pause" name tag dir="$K8S/pause-image"
  name=$(pause_image_name)
  ctr_k8s images ls -q "name==$name" 2>/dev/null | grep -q . && return 0
  tag=${name#docker.io/}
  if ! docker image inspect "$tag" >/dev/null 2>&1; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$src" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags '-s -w' -o "$dir/pause" .) >&2
    printf 'FROM scratch\nCOPY pause /pause\nENTRYPOINT ["/pause"]\n' >"$dir/Dockerfile"
    docker build -q -t "$tag" "$dir" >"$LOGS/pause-image-build.log" 2>&1 || { cat "$LOGS/pause-image-build.log" >&2; die "building the pause image failed"; }
  fi
  docker save "$tag" | ctr_k8s images import - >/dev/null
  say "imported the pause image $name"
}

write_configs() {
  mkdir -p "$STATE/cni/bin" "$STATE/cni/net.d" "$STATE/kubelet" "$CTR_ROOT"
  # containerd's CRI also calls a plugin named "loopback" for every sandbox: the same script serves.
  for plugin in dck-loopback loopback; do
    cp "$here/kubernetes/cni-loopback.sh" "$STATE/cni/bin/$plugin"
    chmod +x "$STATE/cni/bin/$plugin"
  done
  cat >"$STATE/cni/net.d/10-dck-loopback.conflist" <<'EOF'
{"cniVersion": "0.4.0", "name": "dck-loopback", "plugins": [{"type": "dck-loopback"}]}
EOF
  cat >"$STATE/containerd.toml" <<EOF
version = 2
root = "$CTR_ROOT/root"
state = "$RUN/containerd"
[grpc]
  address = "$SOCK"
[ttrpc]
  address = "$RUN/containerd.ttrpc.sock"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$CTR_ROOT/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$(pause_image_name)"
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  disable_apparmor = true
  # No CAP_SYS_RESOURCE on this VM: runc cannot lower oom_score_adj below the parent's.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$STATE/cni/bin"
    conf_dir = "$STATE/cni/net.d"
EOF
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
failCgroupV1: false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
failSwapOn: false
makeIPTablesUtilChains: false
address: 127.0.0.1
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
containerRuntimeEndpoint: unix://$SOCK
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: "$PKI/ca.crt"}
authorization: {mode: AlwaysAllow}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%"}
serializeImagePulls: false
resolvConf: /etc/resolv.conf
EOF
}

# The node: containerd and the kubelet in one private mount namespace. The kubelet's kernel
# tunables are files bind-mounted over /proc/sys there, with the values it insists on.
node_script() {
  cat <<'EOF'
set -eu
for entry in $DCK_SYSCTLS; do
  key=${entry%%=*} want=${entry#*=} path=/proc/sys/${entry%%=*}
  if [ "$(cat "$path")" != "$want" ]; then
    echo "$want" >"$RUN/sysctl/$key"
    mount --bind "$RUN/sysctl/$key" "$path"
  fi
done
for d in /run/containerd /run/netns /var/log/pods /var/log/containers; do mount -t tmpfs -o mode=0755 dck-k8s "$d"; done
containerd --config "$STATE/containerd.toml" >"$LOGS/containerd.log" 2>&1 &
echo $! >"$RUN/containerd.pid"
for _ in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
# containerd's CRI answers "server is not initialized yet" until it has recovered its state (15 s
# once, on a loaded machine), and the kubelet exits when its first CRI call is refused. Start it
# again, as systemd's Restart= does on a real node, until it stays up (or the cluster is stopping).
: >"$LOGS/kubelet.log"
for _ in $(seq 1 30); do
  from=$(($(wc -c <"$LOGS/kubelet.log") + 1))
  kubelet --config "$STATE/kubelet.yaml" --kubeconfig "$PKI/node.kubeconfig" --root-dir "$STATE/kubelet" \
    --cert-dir "$STATE/kubelet-pki" --hostname-override "$NODE" >>"$LOGS/kubelet.log" 2>&1 &
  pid=$!
  echo "$pid" >"$RUN/kubelet.pid"
  sleep 3
  kill -0 "$pid" 2>/dev/null && break
  [ ! -e "$RUN/stopping" ] && tail -c "+$from" "$LOGS/kubelet.log" | grep -q 'server is not initialized yet' || break
  echo "kubelet: containerd's CRI is not ready yet; starting the kubelet again" >>"$LOGS/kubelet.log"
done
wait
EOF
}

start_cluster() {
  local t0
  t0=$(date +%s.%N)
  [ "$(id -u)" = 0 ] || die "the cluster needs root (mount namespaces, cgroups, containerd)"
  apt_install etcd-server containerd runc iproute2 util-linux openssl curl
  bash "$here/docker.sh" >/dev/null # the pause image is built with docker
  bin=$(bash "$here/kubernetes-binaries.sh")
  # Whatever is half up from an earlier run goes first.
  [ -d "$RUN" ] && stop_cluster
  t0=$(date +%s.%N) # start-up time: from here, binaries and certificates cached
  rm -rf "$STATE"
  mkdir -p "$RUN/sysctl" "$LOGS" "$STATE"
  : >"$RUN/created-dirs"
  for d in /run/containerd /run/netns /var/log/pods /var/log/containers; do
    [ -d "$d" ] || { mkdir -p "$d" && echo "$d" >>"$RUN/created-dirs"; }
  done
  : >"$RUN/created-cgroups"
  for c in /sys/fs/cgroup/*/; do
    [ -d "$c" ] && [ ! -d "${c}k8s.io" ] && echo "${c}k8s.io" >>"$RUN/created-cgroups"
  done
  make_pki
  write_configs

  say "starting etcd on 127.0.0.1:$ETCD_PORT"
  setsid etcd --name dck --data-dir "$RUN/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "dck=http://127.0.0.1:$((ETCD_PORT + 1))" \
    >"$LOGS/etcd.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/etcd.pid"

  # containerd can start (and the pause image get in) while etcd and the API server come up.
  say "starting containerd + kubelet in a private mount namespace"
  local sysctls="kernel/panic=10 kernel/panic_on_oops=1 vm/overcommit_memory=1 vm/panic_on_oom=0 kernel/keys/root_maxkeys=1000000 kernel/keys/root_maxbytes=25000000"
  mkdir -p "$RUN/sysctl/kernel/keys" "$RUN/sysctl/vm"
  PATH="$bin:$PATH" RUN="$RUN" STATE="$STATE" LOGS="$LOGS" PKI="$PKI" SOCK="$SOCK" NODE="$NODE" DCK_SYSCTLS="$sysctls" \
    setsid unshare --mount --propagation private sh -c "$(node_script)" >"$LOGS/node.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/node-namespace.pid"

  wait_for etcd 30 curl -fsS "http://127.0.0.1:$ETCD_PORT/health" || { tail -20 "$LOGS/etcd.log" >&2; exit 1; }
  say "starting kube-apiserver on 127.0.0.1:$API_PORT"
  setsid "$bin/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$API_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-account-issuer=https://kubernetes.default.svc --service-cluster-ip-range=10.96.0.0/24 \
    --authorization-mode=Node,RBAC --allow-privileged=true --enable-admission-plugins=NodeRestriction,PodSecurity \
    --endpoint-reconciler-type=none --kubelet-client-certificate="$PKI/admin.crt" --kubelet-client-key="$PKI/admin.key" \
    --kubelet-preferred-address-types=Hostname,InternalIP,ExternalIP --profiling=false \
    >"$LOGS/kube-apiserver.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/kube-apiserver.pid"

  wait_for containerd 30 test -S "$SOCK" || { tail -20 "$LOGS/containerd.log" "$LOGS/node.log" >&2; exit 1; }
  import_pause_image

  wait_for kube-apiserver 90 kubectl get --raw /readyz || { tail -20 "$LOGS/kube-apiserver.log" >&2; exit 1; }
  say "starting kube-controller-manager and kube-scheduler"
  setsid "$bin/kube-controller-manager" --kubeconfig="$KUBECONFIG_FILE" --authentication-kubeconfig="$KUBECONFIG_FILE" \
    --authorization-kubeconfig="$KUBECONFIG_FILE" --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" --use-service-account-credentials=false \
    --controllers='*,-cloud-node-lifecycle,-service-lb-controller,-node-ipam-controller' \
    >"$LOGS/kube-controller-manager.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/kube-controller-manager.pid"
  setsid "$bin/kube-scheduler" --kubeconfig="$KUBECONFIG_FILE" --authentication-kubeconfig="$KUBECONFIG_FILE" \
    --authorization-kubeconfig="$KUBECONFIG_FILE" --bind-address=127.0.0.1 --secure-port=0 --leader-elect=false \
    >"$LOGS/kube-scheduler.log" 2>&1 </dev/null 9>&- &
  echo $! >"$RUN/kube-scheduler.pid"

  wait_for "the node $NODE" 60 kubectl get node "$NODE" || { tail -20 "$LOGS/kubelet.log" >&2; exit 1; }
  # The kubelet refuses a loopback node IP, so the Node has no address and the API server cannot
  # reach the kubelet for logs/exec: the hostname (127.0.0.1 in /etc/hosts) is the address.
  getent ahostsv4 "$NODE" | grep -q '^127\.' || die "$NODE must resolve to 127.x (add '127.0.0.1 $NODE' to /etc/hosts)"
  kubectl patch node "$NODE" --subresource=status --type=merge \
    -p "{\"status\":{\"addresses\":[{\"type\":\"Hostname\",\"address\":\"$NODE\"}]}}" >/dev/null
  wait_for "the node $NODE to be Ready" 60 node_ready || { tail -20 "$LOGS/kubelet.log" >&2; exit 1; }
  awk -v s="$t0" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", e - s }' >"$RUN/startup-seconds"
  done_msg "Kubernetes $(cat "$bin/VERSION") node $NODE Ready, $(memory_mib) MiB, logs in $LOGS"
}

case "$cmd" in
  start)
    testbed_lock
    if running; then
      done_msg "already running (node $NODE Ready)"
    else
      start_cluster
    fi
    summary
    ;;
  stop)
    testbed_lock
    if [ -d "$RUN" ]; then stop_cluster; else say "not running"; fi
    ;;
  status)
    running || { say "not running"; exit 1; }
    summary
    ;;
  load)
    shift
    image=${1:?usage: kubernetes.sh load IMAGE [ALIAS...]}
    shift
    pid_alive containerd || die "the cluster is not running (kubernetes.sh start)"
    full=$image
    case "${image%%/*}" in *.*|*:*|localhost) ;; *) [[ $image == */* ]] && full="docker.io/$image" || full="docker.io/library/$image" ;; esac
    if ! ctr_k8s images ls -q "name==$full" | grep -q .; then
      docker save "$image" | ctr_k8s images import - >/dev/null || die "importing $image into containerd failed"
      say "imported $image"
    fi
    for alias in "$@"; do ctr_k8s images tag --force "$full" "$alias" >/dev/null; done
    done_msg "$full${*:+ (also $*)} in the cluster's containerd"
    ;;
  *) die "usage: kubernetes.sh [start|stop|status|load IMAGE [ALIAS...]]" ;;
esac
