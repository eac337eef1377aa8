# shellcheck shell=bash
# The second node of `npm run cluster -- up --nodes 2` (sourced by scripts/cluster.sh, not run).
#
# A node of its own on the same machine: its own network namespace (so its kubelet, kube-proxy and
# the pods' bridge have their own addresses, ports, iptables tables and routes, as a second machine
# would), its own containerd (state, socket, runc root), its own kubelet (root dir, cgroup root,
# certificate) and its own pod subnet, routed from the host through a veth pair. The first node
# stays exactly as the single-node cluster runs it, in the host's namespace.
#
#   host netns                                   netns peerloan-node2
#   plk0 10.250.0.1 (API server, node 1)         plk1p 10.250.1.2 (node 2's kubelet, kube-proxy)
#   plcni0 10.244.0.0/24 (node 1's pods)         plcni1 10.244.1.0/24 (node 2's pods)
#   plk1 10.250.1.1 ------- veth pair ---------- plk1p; default route via 10.250.1.1
#   route 10.244.1.0/24 via 10.250.1.2
#
# The kubelet and its runtime enter only the network namespace (nsenter --net), not a mount
# namespace of their own: the kubelet's volume mounts must be seen by containerd and runc.
# shellcheck disable=SC2034,SC2153 # NODE2_* names are read by cluster.sh; NODE_NAME, NODE_IP, STATE... are its own

NODE2_NAME=peerloan-node2
NODE2_NETNS=peerloan-node2
NODE2_IP=10.250.1.2
NODE2_GATEWAY=10.250.1.1
NODE2_HOST_VETH=plk1
NODE2_POD_SUBNET=10.244.1.0/24
NODE2_POD_BRIDGE=plcni1
# Every pod of the node lives under this cgroup: the first node's kubelet owns /kubepods and would
# remove pod cgroups it does not know there.
NODE2_CGROUP=peerloan-node2
NODE2_STATE="$STATE/node2"
NODE2_RUN="$RUN/node2"
NODE2_CONFIG="$CLUSTER_DIR/config/node2"
NODE2_COMPONENTS=(containerd-node2 kubelet-node2 kube-proxy-node2)
# A folder on the host that every node mounts read-write: what NFS, EFS or Filestore is in a cloud.
SHARED_VOLUMES=10

in_node2() { nsenter --net="/run/netns/$NODE2_NETNS" "$@"; }

node2_setup_network() {
  # `ip netns add` bind-mounts /run/netns on itself the first time; `down` undoes that if it was this.
  if ! mountpoint -q /run/netns 2>/dev/null; then touch "$RUN/netns-mount.ours"; fi
  ip netns list | grep -qw "$NODE2_NETNS" || ip netns add "$NODE2_NETNS"
  if ! ip link show "$NODE2_HOST_VETH" >/dev/null 2>&1; then
    ip link add "$NODE2_HOST_VETH" type veth peer name "${NODE2_HOST_VETH}p" netns "$NODE2_NETNS"
  fi
  ip addr show dev "$NODE2_HOST_VETH" | grep -q "$NODE2_GATEWAY/" || ip addr add "$NODE2_GATEWAY/24" dev "$NODE2_HOST_VETH"
  ip link set "$NODE2_HOST_VETH" up
  ip -n "$NODE2_NETNS" link set lo up
  ip -n "$NODE2_NETNS" addr show dev "${NODE2_HOST_VETH}p" | grep -q "$NODE2_IP/" ||
    ip -n "$NODE2_NETNS" addr add "$NODE2_IP/24" dev "${NODE2_HOST_VETH}p"
  ip -n "$NODE2_NETNS" link set "${NODE2_HOST_VETH}p" up
  ip -n "$NODE2_NETNS" route replace default via "$NODE2_GATEWAY"
  ip route replace "$NODE2_POD_SUBNET" via "$NODE2_IP" dev "$NODE2_HOST_VETH"
  # A namespace's own setting (the host's is saved and restored with the others).
  in_node2 sysctl -qw net.ipv4.ip_forward=1
}

# The node's cgroup in every hierarchy; cpuset needs its cpus and memory nodes before a child joins.
node2_setup_cgroups() {
  local dir
  for dir in /sys/fs/cgroup/*/; do
    [ -d "$dir" ] || continue
    mkdir -p "$dir$NODE2_CGROUP"
  done
  if [ -d "/sys/fs/cgroup/cpuset/$NODE2_CGROUP" ]; then
    cat /sys/fs/cgroup/cpuset/cpuset.cpus > "/sys/fs/cgroup/cpuset/$NODE2_CGROUP/cpuset.cpus"
    cat /sys/fs/cgroup/cpuset/cpuset.mems > "/sys/fs/cgroup/cpuset/$NODE2_CGROUP/cpuset.mems"
  fi
}

node2_write_configs() {
  mkdir -p "$NODE2_CONFIG/cni" "$NODE2_STATE" "$NODE2_RUN"
  # The first node's settings with this node's bridge, subnet and paths.
  sed -e "s#\"$POD_BRIDGE\"#\"$NODE2_POD_BRIDGE\"#" -e "s#\"$POD_SUBNET\"#\"$NODE2_POD_SUBNET\"#" \
    -e "s#\"$STATE/cni\"#\"$NODE2_STATE/cni\"#" \
    "$CLUSTER_DIR/cni/10-peerloan.conflist" > "$NODE2_CONFIG/cni/10-peerloan.conflist"
  # Likewise containerd's (and its own runc root).
  sed -e "s#^root = .*#root = \"$NODE2_STATE/containerd\"#" \
    -e "s#^state = .*#state = \"$NODE2_RUN/containerd\"#" \
    -e "s#address = .*#address = \"$NODE2_CONTAINERD_SOCK\"#" \
    -e "s#conf_dir = .*#conf_dir = \"$NODE2_CONFIG/cni\"#" \
    -e "s#SystemdCgroup = false#SystemdCgroup = false\n          Root = \"$NODE2_RUN/runc\"#" \
    "$CLUSTER_DIR/config/containerd.toml" > "$NODE2_CONFIG/containerd.toml"
  sed -e "s#^address: .*#address: $NODE2_IP#" \
    -e "s#^tlsCertFile: .*#tlsCertFile: $PKI/kubelet-$NODE2_NAME.crt#" \
    -e "s#^tlsPrivateKeyFile: .*#tlsPrivateKeyFile: $PKI/kubelet-$NODE2_NAME.key#" \
    -e "s#^podLogsDir: .*#podLogsDir: $NODE2_STATE/pod-logs#" \
    "$CLUSTER_DIR/config/kubelet.yaml" > "$NODE2_CONFIG/kubelet.yaml"
  echo "cgroupRoot: /$NODE2_CGROUP" >> "$NODE2_CONFIG/kubelet.yaml"
  sed -e "s#^clusterCIDR: .*#clusterCIDR: 10.244.0.0/16#" \
    -e "s#^hostnameOverride: .*#hostnameOverride: $NODE2_NAME#" \
    -e "s#^nodePortAddresses: .*#nodePortAddresses: [$NODE2_IP/32]#" \
    "$CLUSTER_DIR/config/kube-proxy.yaml" > "$NODE2_CONFIG/kube-proxy.yaml"
  kubeconfig "$NODE2_CONFIG/kubelet.kubeconfig" "kubelet-$NODE2_NAME"
}

node2_start() {
  mkdir -p "$(dirname "$NODE2_CONTAINERD_SOCK")" "$NODE2_STATE/kubelet" "$NODE2_STATE/pod-logs"
  start containerd-node2 nsenter --net="/run/netns/$NODE2_NETNS" containerd --config "$NODE2_CONFIG/containerd.toml"
  wait_for "node 2's containerd" 30 ctr --address "$NODE2_CONTAINERD_SOCK" version
  load_cluster_images "$NODE2_CONTAINERD_SOCK"
  start kubelet-node2 nsenter --net="/run/netns/$NODE2_NETNS" kubelet --config "$NODE2_CONFIG/kubelet.yaml" \
    --kubeconfig "$NODE2_CONFIG/kubelet.kubeconfig" --root-dir "$NODE2_STATE/kubelet" \
    --container-runtime-endpoint "unix://$NODE2_CONTAINERD_SOCK" \
    --node-ip "$NODE2_IP" --hostname-override "$NODE2_NAME"
  start kube-proxy-node2 nsenter --net="/run/netns/$NODE2_NETNS" kube-proxy --config "$NODE2_CONFIG/kube-proxy.yaml"
  wait_for "node $NODE2_NAME" 120 kubectl_admin wait --for=condition=Ready "node/$NODE2_NAME" --timeout=2s
}

# The ingress controller listens on the host's 127.0.0.1 (hostNetwork): only the first node is the
# host's network, so it stays there, as a cloud's load balancer stays outside the nodes it drains.
pin_ingress_to_node1() {
  kubectl_admin -n traefik patch deploy traefik --type merge \
    -p "{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"kubernetes.io/hostname\":\"$NODE_NAME\"}}}}}" >/dev/null
}

# StorageClass `shared-files`: static ReadWriteMany volumes, each a folder of the host that both
# nodes mount (the stand-in for NFS/EFS/Filestore).
apply_shared_storage() {
  apply_static_volumes shared-files shared-pv peerloan.io/shared-volume "$STATE/shared" "$SHARED_VOLUMES" \
    ReadWriteMany Immediate false
}

node2_up() {
  log "starting the second node $NODE2_NAME (network namespace $NODE2_NETNS, pods $NODE2_POD_SUBNET)"
  bash "$REPO_ROOT/scripts/cluster/pki.sh" "$PKI" "$NODE_NAME" "$NODE_IP" "$NODE2_NAME" "$NODE2_IP"
  node2_setup_network
  node2_setup_cgroups
  node2_write_configs
  pin_ingress_to_node1
  kubectl_admin -n traefik rollout status deploy/traefik --timeout=120s >/dev/null
  node2_start
  apply_shared_storage
}

# Every process of the node: its components, its containers' shims and what runs in its cgroup.
node2_kill_all() {
  local name procs
  for name in "${NODE2_COMPONENTS[@]}"; do
    if running "$name"; then kill -KILL "$(pid_of "$name")" 2>/dev/null || true; fi
  done
  pgrep -f "containerd-shim.*-address $NODE2_CONTAINERD_SOCK" | xargs -r kill -KILL 2>/dev/null || true
  if [ -d "/sys/fs/cgroup/pids/$NODE2_CGROUP" ]; then
    procs=$(find "/sys/fs/cgroup/pids/$NODE2_CGROUP" -name cgroup.procs -exec cat {} + 2>/dev/null || true)
    [ -z "$procs" ] || echo "$procs" | xargs -r kill -KILL 2>/dev/null || true
  fi
}

# `npm run cluster -- lose-node`: the second node gone without warning (kubelet, runtime and every
# container killed at once), as a machine that loses power; `down` cleans up after it.
node2_lose() {
  running kubelet-node2 || die "the second node is not running (npm run cluster -- up --nodes 2)"
  node2_kill_all
  log "node $NODE2_NAME lost: kubelet, containerd, kube-proxy and its containers killed"
}

node2_down() {
  local name i
  stop_process kube-proxy-node2
  stop_process kubelet-node2
  CONTAINERD_SOCK=$NODE2_CONTAINERD_SOCK stop_containers
  for ((i=${#NODE2_COMPONENTS[@]}-1; i>=0; i--)); do stop_process "${NODE2_COMPONENTS[$i]}"; done
  node2_kill_all
  for name in /sys/fs/cgroup/*/"$NODE2_CGROUP"; do
    [ -d "$name" ] || continue
    find "$name" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  # Its devices, addresses, bridge, routes and iptables tables go with the namespace.
  ip netns delete "$NODE2_NETNS" 2>/dev/null || true
  ip link del "$NODE2_HOST_VETH" 2>/dev/null || true
}

# After unmount_all: the /run/netns mount `ip netns add` made. It was a recursive bind, so the Pod
# namespaces mounted before it (the first node's add-ons) show again underneath: unmounted too.
node2_release_netns_mount() {
  [ -f "$RUN/netns-mount.ours" ] || return 0
  if mountpoint -q /run/netns; then umount /run/netns 2>/dev/null || true; fi
  unmount_all
}

# 1 (with the reason logged) while anything of the second node is left on the host.
node2_check_removed() {
  local left=0 dir
  if ip netns list | grep -qw "$NODE2_NETNS" || ip link show "$NODE2_HOST_VETH" >/dev/null 2>&1; then
    log "the second node's network namespace or veth ($NODE2_NETNS, $NODE2_HOST_VETH) is still there"
    left=1
  fi
  if [ -f "$RUN/netns-mount.ours" ]; then
    if mountpoint -q /run/netns; then log "/run/netns is still a mount point (ip netns add made it)"; left=1; fi
    if findmnt -rn -o TARGET | grep -q '^/run/netns/'; then
      log "network namespaces are still mounted: $(findmnt -rn -o TARGET | grep '^/run/netns/' | tr '\n' ' ')"
      left=1
    fi
  fi
  for dir in /sys/fs/cgroup/*/"$NODE2_CGROUP"; do
    if [ -d "$dir" ]; then log "the second node's cgroup $dir is still there"; left=1; fi
  done
  if pgrep -f "$NODE2_CONFIG|$NODE2_CONTAINERD_SOCK" >/dev/null; then
    log "processes of the second node are still running: $(pgrep -f "$NODE2_CONFIG|$NODE2_CONTAINERD_SOCK" | tr '\n' ' ')"
    left=1
  fi
  return "$left"
}
