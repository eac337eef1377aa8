# shellcheck shell=bash
# Shared settings of the local cluster scripts (sourced, not run).
# shellcheck disable=SC2034 # the variables are read by the scripts that source this file
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE_ROOT=${PEERLOAN_TOOLS_CACHE:-$HOME/.cache/peerloan-tools}
TOOLS_BIN="$CACHE_ROOT/bin"
IMAGE_CACHE=${PEERLOAN_IMAGE_CACHE:-$HOME/.cache/peerloan-images}
# overlay is several times faster than vfs and works as root on this machine's ext4.
BUILDAH_STORAGE=(--storage-driver "${BUILDAH_STORAGE_DRIVER:-overlay}")
CLUSTER_DIR="$REPO_ROOT/.cluster"
export PATH="$TOOLS_BIN:$PATH"

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

REDIS_IMAGE=peerloan.local/redis:7-bookworm
PAUSE_IMAGE=peerloan.local/pause:3
CONTAINERD_SOCK=/run/peerloan-cluster/containerd/containerd.sock
# The second node's containerd (`npm run cluster -- up --nodes 2`, scripts/cluster/second-node.sh).
NODE2_CONTAINERD_SOCK=/run/peerloan-cluster/node2/containerd/containerd.sock

# An image from a root filesystem tarball; the rest of the arguments are `buildah config` options.
commit_rootfs() {
  local rootfs=$1 image=$2; shift 2
  local ctr
  ctr=$(buildah "${BUILDAH_STORAGE[@]}" from scratch)
  buildah "${BUILDAH_STORAGE[@]}" add "$ctr" "$rootfs" / >/dev/null
  buildah "${BUILDAH_STORAGE[@]}" config "$@" "$ctr"
  buildah "${BUILDAH_STORAGE[@]}" commit --quiet --rm "$ctr" "$image" >/dev/null
}

image_exists() { buildah "${BUILDAH_STORAGE[@]}" images --quiet "$1" >/dev/null 2>&1; }

# The containerd of each running node: the first node's, and the second's when it answers.
node_sockets() {
  echo "$CONTAINERD_SOCK"
  if [ -S "$NODE2_CONTAINERD_SOCK" ] && ctr --address "$NODE2_CONTAINERD_SOCK" version >/dev/null 2>&1; then
    echo "$NODE2_CONTAINERD_SOCK"
  fi
}

# An import that fails on a damaged snapshot cache (seen once: "failed to prepare extraction
# snapshot ... parent snapshot ... does not exist" after many up/down cycles) is retried once,
# after removing the image (a synchronous garbage collection drops its unused snapshots).
import_image() {
  local ctr_k8s=(ctr --address "$1" -n k8s.io) image=$2 archive=$3
  "${ctr_k8s[@]}" images import "$archive" >/dev/null && return 0
  log "importing $image failed; removing it, then importing once more"
  "${ctr_k8s[@]}" images rm --sync "$image" >/dev/null 2>&1 || true
  "${ctr_k8s[@]}" images import "$archive" >/dev/null
}

# Copies an image from buildah's storage into the cluster's containerd (namespace k8s.io), where
# the kubelet finds it: Pods then run it with imagePullPolicy IfNotPresent or Never. Into the
# containerd sockets given, else into every running node's.
load_image() {
  local image=$1 archive sock sockets
  shift
  if [ $# -gt 0 ]; then sockets=("$@"); else mapfile -t sockets < <(node_sockets); fi
  archive=$(mktemp "$IMAGE_CACHE/load-XXXXXX.tar")
  rm -f "$archive"
  buildah "${BUILDAH_STORAGE[@]}" push --quiet "$image" "oci-archive:$archive:$image" >/dev/null
  for sock in "${sockets[@]}"; do
    import_image "$sock" "$image" "$archive" || {
      rm -f "$archive"
      die "could not import $image into the containerd at $sock (its cache under /var/lib/peerloan-cluster may be damaged): npm run cluster -- down, then rm -rf /var/lib/peerloan-cluster/containerd /var/lib/peerloan-cluster/node2/containerd (images are loaded again on the next up)"
    }
  done
  rm -f "$archive"
  log "loaded $image into the cluster's containerd$([ ${#sockets[@]} -gt 1 ] && echo " of ${#sockets[@]} nodes")"
}
