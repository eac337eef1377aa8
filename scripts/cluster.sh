#!/usr/bin/env bash
# `npm run cluster -- up [--nodes 2]|down|status|lose-node`: a real single-node Kubernetes v1.32 on this machine, run
# as processes (containerd + runc, a CNI bridge, etcd, kube-apiserver, controller-manager,
# scheduler, kubelet, kube-proxy) with CoreDNS, Traefik (ingress on 127.0.0.1:18080),
# metrics-server and a default StorageClass of static hostPath volumes as cluster add-ons.
# The admin kubeconfig is .cluster/kubeconfig; `down` stops everything `up` started and puts back
# the mounts, network devices, iptables rules, cgroups and sysctls it changed. `up --nodes 2` adds a
# second node on the same machine in a network namespace of its own, and a ReadWriteMany
# StorageClass both nodes mount (scripts/cluster/second-node.sh); `lose-node` kills that node
# without warning.
set -euo pipefail
# shellcheck source=cluster/common.sh
source "$(dirname "$0")/cluster/common.sh"

NODE_NAME=peerloan-node
NODE_IP=10.250.0.1          # host end of a veth pair: Pods can route to it, unlike 127.0.0.1
HOST_VETH=plk0
POD_SUBNET=10.244.0.0/24
POD_BRIDGE=plcni0
SERVICE_CIDR=10.96.0.0/16
DNS_IP=10.96.0.10
API_PORT=6443
ETCD_PORT=12379
INGRESS_HTTP=127.0.0.1:18080
VOLUMES=20
STATE=/var/lib/peerloan-cluster   # containerd images, etcd, kubelet, volumes: outside the clone
RUN=/run/peerloan-cluster
PKI="$CLUSTER_DIR/pki"
LOGS="$CLUSTER_DIR/logs"
KUBECONFIG_ADMIN="$CLUSTER_DIR/kubeconfig"
# Host settings the kubelet, kube-proxy and CNI plugins change; `down` writes back these values.
SYSCTLS=(kernel.panic kernel.panic_on_oops vm.overcommit_memory vm.panic_on_oom net.ipv4.ip_forward
  net.ipv4.conf.all.route_localnet net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  kernel.keys.root_maxkeys kernel.keys.root_maxbytes net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait)
# Start order; `down` stops them in reverse.
COMPONENTS=(containerd etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)

kubectl_admin() { kubectl --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# shellcheck source=cluster/second-node.sh
source "$(dirname "$0")/cluster/second-node.sh"

pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
running() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

start() {
  local name=$1; shift
  running "$name" && return
  setsid "$@" >>"$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
}

wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "$what not ready after ${seconds}s (logs: $LOGS)"
    sleep 1
  done
}

# ---- up -------------------------------------------------------------------------------------

install_prerequisites() {
  bash "$REPO_ROOT/scripts/install-system-deps.sh" cluster >&2
  bash "$REPO_ROOT/scripts/install-tools.sh" cluster >/dev/null
}

save_host_state() {
  [ -f "$RUN/sysctl.saved" ] && return
  local key
  for key in "${SYSCTLS[@]}"; do
    sysctl -n "$key" >/dev/null 2>&1 && echo "$key=$(sysctl -n "$key")"
  done > "$RUN/sysctl.saved"
  iptables-save > "$RUN/iptables.saved"
  ip6tables-save > "$RUN/ip6tables.saved" 2>/dev/null || true
}

setup_network() {
  ip link show "$HOST_VETH" >/dev/null 2>&1 || ip link add "$HOST_VETH" type veth peer name "${HOST_VETH}p"
  ip addr show dev "$HOST_VETH" | grep -q "$NODE_IP/" || ip addr add "$NODE_IP/32" dev "$HOST_VETH"
  ip link set "$HOST_VETH" up
  ip link set "${HOST_VETH}p" up
  sysctl -qw net.ipv4.ip_forward=1
  mkdir -p "$CLUSTER_DIR/cni"
  cat > "$CLUSTER_DIR/cni/10-peerloan.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "peerloan",
  "plugins": [
    {"type": "bridge", "bridge": "$POD_BRIDGE", "isGateway": true, "ipMasq": true, "hairpinMode": true,
     "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_SUBNET"}]], "routes": [{"dst": "0.0.0.0/0"}],
              "dataDir": "$STATE/cni"}},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
}

write_configs() {
  mkdir -p "$CLUSTER_DIR/config"
  cat > "$CLUSTER_DIR/config/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd"
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Root here lacks CAP_SYS_RESOURCE: without this every sandbox fails to start.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$CLUSTER_DIR/cni"
EOF
  cat > "$CLUSTER_DIR/config/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: Webhook}
tlsCertFile: $PKI/kubelet.crt
tlsPrivateKeyFile: $PKI/kubelet.key
cgroupDriver: cgroupfs
failSwapOn: false
failCgroupV1: false
protectKernelDefaults: false
localStorageCapacityIsolation: false
# The VM's disk reports no filesystem stats: eviction could never act on them.
evictionHard: {memory.available: 1Mi, nodefs.available: "0%", imagefs.available: "0%", nodefs.inodesFree: "0%"}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
clusterDNS: [$DNS_IP]
clusterDomain: cluster.local
podLogsDir: $STATE/pod-logs
resolvConf: /etc/resolv.conf
serializeImagePulls: false
EOF
  cat > "$CLUSTER_DIR/config/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clientConnection: {kubeconfig: $CLUSTER_DIR/config/kube-proxy.kubeconfig}
clusterCIDR: $POD_SUBNET
hostnameOverride: $NODE_NAME
bindAddress: 127.0.0.1
metricsBindAddress: 127.0.0.1:10249
healthzBindAddress: 127.0.0.1:10256
nodePortAddresses: [$NODE_IP/32]
iptables: {localhostNodePorts: false}
# Leave the host's conntrack table settings alone.
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

# kubeconfig <file> <cert name> [server]
kubeconfig() {
  local file=$1 cert=$2 server=${3:-https://$NODE_IP:$API_PORT}
  cat > "$file" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: peerloan-local
    cluster: {server: "$server", certificate-authority-data: $(base64 -w0 < "$PKI/ca.crt")}
users:
  - name: $cert
    user: {client-certificate-data: $(base64 -w0 < "$PKI/$cert.crt"), client-key-data: $(base64 -w0 < "$PKI/$cert.key")}
contexts:
  - name: peerloan-local
    context: {cluster: peerloan-local, user: $cert}
current-context: peerloan-local
EOF
  chmod 600 "$file"
}

write_kubeconfigs() {
  kubeconfig "$KUBECONFIG_ADMIN" admin
  local c
  for c in controller-manager scheduler kubelet kube-proxy; do
    kubeconfig "$CLUSTER_DIR/config/$c.kubeconfig" "$c"
  done
}

start_containerd() {
  mkdir -p "$(dirname "$CONTAINERD_SOCK")"
  start containerd containerd --config "$CLUSTER_DIR/config/containerd.toml"
  wait_for containerd 30 ctr --address "$CONTAINERD_SOCK" version
}

start_control_plane() {
  start etcd etcd --name peerloan --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls http://127.0.0.1:12380 --initial-advertise-peer-urls http://127.0.0.1:12380 \
    --initial-cluster peerloan=http://127.0.0.1:12380 --log-level warn
  start kube-apiserver kube-apiserver --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --bind-address "$NODE_IP" --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
    --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged=true \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --client-ca-file "$PKI/ca.crt" --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
    --requestheader-client-ca-file "$PKI/ca.crt" --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$PKI/front-proxy-client.crt" --proxy-client-key-file "$PKI/front-proxy-client.key" \
    --enable-aggregator-routing=true
  wait_for kube-apiserver 90 kubectl_admin get --raw /readyz
  start kube-controller-manager kube-controller-manager \
    --kubeconfig "$CLUSTER_DIR/config/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_DIR/config/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/config/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" --horizontal-pod-autoscaler-sync-period 10s
  start kube-scheduler kube-scheduler --kubeconfig "$CLUSTER_DIR/config/scheduler.kubeconfig" \
    --authentication-kubeconfig "$CLUSTER_DIR/config/scheduler.kubeconfig" \
    --authorization-kubeconfig "$CLUSTER_DIR/config/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false
}

start_node() {
  mkdir -p "$STATE/kubelet" "$STATE/pod-logs"
  start kubelet kubelet --config "$CLUSTER_DIR/config/kubelet.yaml" \
    --kubeconfig "$CLUSTER_DIR/config/kubelet.kubeconfig" --root-dir "$STATE/kubelet" \
    --container-runtime-endpoint "unix://$CONTAINERD_SOCK" \
    --node-ip "$NODE_IP" --hostname-override "$NODE_NAME"
  start kube-proxy kube-proxy --config "$CLUSTER_DIR/config/kube-proxy.yaml"
  wait_for "node $NODE_NAME" 120 kubectl_admin wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
}

# Add-on images: each a static Go binary on an empty filesystem.
addon_images() {
  local name version image
  for spec in coredns:1.11.3 traefik:3.6.12 metrics-server:0.8.0; do
    name=${spec%%:*} version=${spec#*:} image="peerloan.local/$name:$version"
    if ! image_exists "$image"; then
      local dir; dir=$(mktemp -d)
      mkdir -p "$dir/tmp" && chmod 1777 "$dir/tmp"
      cp "$TOOLS_BIN/$name" "$dir/$name"
      tar -C "$dir" -cf "$dir.tar" .
      commit_rootfs "$dir.tar" "$image" --entrypoint "[\"/$name\"]"
      rm -rf "$dir" "$dir.tar"
    fi
  done
}

# The pause, Redis and add-on images into one node's containerd (the first node's by default).
load_cluster_images() {
  local sock=${1:-$CONTAINERD_SOCK} image
  bash "$REPO_ROOT/scripts/cluster/base-images.sh"
  addon_images
  for image in "$PAUSE_IMAGE" "$REDIS_IMAGE" peerloan.local/coredns:1.11.3 peerloan.local/traefik:3.6.12 \
      peerloan.local/metrics-server:0.8.0; do
    ctr --address "$sock" -n k8s.io images ls -q | grep -qx "$image" || load_image "$image" "$sock"
  done
}

# Static hostPath volumes behind a StorageClass: <class> <volume name prefix> <label> <folder>
# <count> <access modes> <binding mode> <default class: true|false>. Reclaim policy Retain: a
# released volume keeps its files until `down`.
apply_static_volumes() {
  local class=$1 prefix=$2 label=$3 dir=$4 count=$5 modes=$6 binding=$7 default=$8 i manifest
  manifest=$(mktemp)
  cat > "$manifest" <<EOF
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: $class
  annotations: {storageclass.kubernetes.io/is-default-class: "$default"}
provisioner: kubernetes.io/no-provisioner
volumeBindingMode: $binding
reclaimPolicy: Retain
EOF
  for i in $(seq -w 1 "$count"); do
    mkdir -p "$dir/pv-$i" && chmod 0777 "$dir/pv-$i"
    cat >> "$manifest" <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: $prefix-$i, labels: {$label: "true"}}
spec:
  storageClassName: $class
  capacity: {storage: 50Gi}
  accessModes: [$modes]
  persistentVolumeReclaimPolicy: Retain
  hostPath: {path: $dir/pv-$i, type: Directory}
EOF
  done
  kubectl_admin apply -f "$manifest" >/dev/null
  rm -f "$manifest"
}

# The default StorageClass: a PVC binds to one of its volumes when its Pod is scheduled.
apply_storage() {
  apply_static_volumes local-volumes local-pv peerloan.io/local-volume "$STATE/volumes" "$VOLUMES" \
    "ReadWriteOnce, ReadWriteMany" WaitForFirstConsumer true
}

apply_addons() {
  kubectl_admin apply -f "$REPO_ROOT/scripts/cluster/addons/" >/dev/null
  # Traefik's middlewares live in one file that load-tests/run-local.sh reads too.
  kubectl_admin -n traefik create configmap traefik-dynamic \
    --from-file=dynamic.yaml="$REPO_ROOT/scripts/cluster/traefik-middlewares.yaml" --dry-run=client -o yaml |
    kubectl_admin apply -f - >/dev/null
  apply_storage
  kubectl_admin -n kube-system rollout status deploy/coredns --timeout=120s >/dev/null
  kubectl_admin -n traefik rollout status deploy/traefik --timeout=120s >/dev/null
  kubectl_admin -n kube-system rollout status deploy/metrics-server --timeout=120s >/dev/null
  wait_for "the metrics.k8s.io API" 120 kubectl_admin top node
}

up() {
  [ "$(id -u)" = 0 ] || die "run as root: the cluster starts containerd, the kubelet and network devices"
  local nodes=1 began=$SECONDS
  while [ $# -gt 0 ]; do
    case "$1" in
      --nodes) nodes=${2:-}; shift 2 ;;
      *) die "unknown option $1 (usage: npm run cluster -- up [--nodes 1|2])" ;;
    esac
  done
  case "$nodes" in 1|2) ;; *) die "--nodes takes 1 or 2, not '$nodes'" ;; esac
  install_prerequisites
  mkdir -p "$RUN" "$STATE" "$LOGS"
  if running kubelet && kubectl_admin get --raw /readyz >/dev/null 2>&1; then
    log "already running"
  else
    log "starting a single-node Kubernetes v1.32.3 (logs: $LOGS)"
    save_host_state
    rm -rf "$STATE/etcd"  # a fresh cluster every time; images and the build caches stay
    bash "$REPO_ROOT/scripts/cluster/pki.sh" "$PKI" "$NODE_NAME" "$NODE_IP"
    setup_network
    write_configs
    write_kubeconfigs
    start_containerd
    load_cluster_images
    start_control_plane
    start_node
    apply_addons
  fi
  if [ "$nodes" = 2 ] && ! running kubelet-node2; then node2_up; fi
  log "ready in $((SECONDS - began)) s; ingress on http://$INGRESS_HTTP"
  echo "export KUBECONFIG=$KUBECONFIG_ADMIN"
}

# ---- down -----------------------------------------------------------------------------------

stop_process() {
  local name=$1 pid
  pid=$(pid_of "$name")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

# Every container and sandbox of the node: tasks killed and deleted while containerd still runs,
# then any shim left behind.
stop_containers() {
  [ -S "$CONTAINERD_SOCK" ] || return 0
  local ctr_cmd=(ctr --address "$CONTAINERD_SOCK" -n k8s.io) id
  for id in $("${ctr_cmd[@]}" tasks ls -q 2>/dev/null); do
    "${ctr_cmd[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  sleep 1
  for id in $("${ctr_cmd[@]}" tasks ls -q 2>/dev/null); do
    "${ctr_cmd[@]}" tasks delete -f "$id" >/dev/null 2>&1 || true
  done
  for id in $("${ctr_cmd[@]}" containers ls -q 2>/dev/null); do
    "${ctr_cmd[@]}" containers delete "$id" >/dev/null 2>&1 || true
  done
}

kill_shims() {
  pgrep -f "containerd-shim.*-address $CONTAINERD_SOCK" | xargs -r kill -KILL 2>/dev/null || true
}

unmount_all() {
  local target
  # grep finds nothing when nothing is mounted: not a failure under pipefail.
  findmnt -rn -o TARGET | { grep -E "^($STATE|$RUN)|^/run/netns/cni-|^/var/run/netns/cni-" || true; } | sort -r |
    while read -r target; do umount -l "$target" 2>/dev/null || true; done
  local ns
  for ns in /run/netns/cni-*; do
    if [ -e "$ns" ]; then ip netns delete "$(basename "$ns")" 2>/dev/null || true; fi
  done
}

remove_cgroups() {
  local dir
  for dir in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/kubepods; do
    [ -d "$dir" ] || continue
    find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
}

# Every table back to what was saved before `up`: a table absent from the snapshot was empty then,
# so it is emptied (the kubelet, kube-proxy and the CNI plugins add chains to all of them).
restore_rules() {
  local tool=$1 saved=$2 table
  for table in filter nat mangle raw; do
    "$tool" -t "$table" -F 2>/dev/null || true
    "$tool" -t "$table" -X 2>/dev/null || true
  done
  # An empty snapshot (a host with no rules, as fresh machines have) leaves the tables flushed.
  if [ -s "$saved" ]; then
    "$tool-restore" < "$saved" || log "could not restore $tool rules from $saved"
  fi
}

restore_host_state() {
  ip link del "$POD_BRIDGE" 2>/dev/null || true
  ip link del "$HOST_VETH" 2>/dev/null || true
  if [ -f "$RUN/iptables.saved" ]; then
    restore_rules iptables "$RUN/iptables.saved"
    restore_rules ip6tables "$RUN/ip6tables.saved"
  fi
  if [ -f "$RUN/sysctl.saved" ]; then
    local line
    while read -r line; do sysctl -qw "$line" 2>/dev/null || true; done < "$RUN/sysctl.saved"
  fi
}

# Every sysctl back at the value it had before `up`, or each one that is not named; 1 then.
check_restored() {
  local line key want got differs=0
  [ -f "$RUN/sysctl.saved" ] || return 0
  while read -r line; do
    key=${line%%=*}
    want=${line#*=}
    got=$(sysctl -n "$key" 2>/dev/null) || continue
    if [ "$got" != "$want" ]; then
      log "$key is $got after down, was $want before up"
      differs=1
    fi
  done < "$RUN/sysctl.saved"
  if ip link show "$POD_BRIDGE" >/dev/null 2>&1 || ip link show "$HOST_VETH" >/dev/null 2>&1; then
    log "the cluster's network devices ($POD_BRIDGE, $HOST_VETH) are still there"
    differs=1
  fi
  return "$differs"
}

down() {
  local i
  node2_down
  stop_process kube-proxy
  stop_process kubelet
  stop_containers
  for ((i=${#COMPONENTS[@]}-1; i>=0; i--)); do stop_process "${COMPONENTS[$i]}"; done
  kill_shims
  unmount_all
  node2_release_netns_mount
  remove_cgroups
  restore_host_state
  if ! check_restored || ! node2_check_removed; then
    log "down did not put the host back (above); $RUN/sysctl.saved keeps the values from before up"
    exit 1
  fi
  rm -rf "$STATE/kubelet" "$STATE/etcd" "$STATE/volumes" "$STATE/cni" "$STATE/pod-logs" "$RUN" \
    "$STATE/shared" "$NODE2_STATE/kubelet" "$NODE2_STATE/cni" "$NODE2_STATE/pod-logs"
  log "stopped; host network, iptables and sysctls restored (images kept in $STATE/containerd)"
}

# ---- status ---------------------------------------------------------------------------------

status() {
  local name state=0
  for name in "${COMPONENTS[@]}"; do
    if running "$name"; then printf '%-24s running (pid %s)\n' "$name" "$(pid_of "$name")"
    else printf '%-24s stopped\n' "$name"; state=1; fi
  done
  for name in "${NODE2_COMPONENTS[@]}"; do
    if running "$name"; then printf '%-24s running (pid %s)\n' "$name" "$(pid_of "$name")"; fi
  done
  if [ $state = 0 ]; then
    kubectl_admin get nodes -o wide
    kubectl_admin get pods -A -o wide
    echo "export KUBECONFIG=$KUBECONFIG_ADMIN"
  fi
  return $state
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  lose-node) node2_lose ;;
  *) echo "usage: npm run cluster -- up [--nodes 2]|down|status|lose-node" >&2; exit 2 ;;
esac
