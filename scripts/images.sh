#!/usr/bin/env bash
# `npm run images`: builds the trainer, api, workers and operator images, the repo's Dockerfile's
# targets of those names, with buildah (no Docker engine, no registry) and loads them, with the
# Redis and pause images, into the local cluster's containerd when it runs (`npm run cluster -- up`).
#   IMAGE_TAG   tag of the four images (default: dev)
#   IMAGES      which to build (default: "trainer-job api workers operator")
set -euo pipefail
# shellcheck source=cluster/common.sh
source "$(dirname "$0")/cluster/common.sh"

IMAGE_TAG=${IMAGE_TAG:-dev}
IMAGES=${IMAGES:-trainer-job api workers operator}
REGISTRY=ghcr.io/peerloan
arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
timings="$IMAGE_CACHE/timings.tsv"

command -v buildah >/dev/null || die "buildah is missing: run scripts/install-system-deps.sh"
bash "$REPO_ROOT/scripts/cluster/base-images.sh"

build_image() {
  local name=$1 image="$REGISTRY/$1:$IMAGE_TAG" start=$SECONDS
  log "building $image (Dockerfile, target $name)"
  buildah "${BUILDAH_STORAGE[@]}" bud --quiet --layers --isolation chroot --pull=never \
    --build-arg "TARGETARCH=$arch" -f "$REPO_ROOT/Dockerfile" --target "$name" -t "$image" "$REPO_ROOT" >/dev/null
  local size
  # sed, not head: the image may list once per tag, and head's early exit fails the pipe (pipefail).
  size=$(buildah "${BUILDAH_STORAGE[@]}" images --format '{{.Size}}' "$image" | sed -n 1p)
  log "built $image in $((SECONDS - start)) s ($size)"
  printf '%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$image" "$((SECONDS - start))" "$size" >> "$timings"
}

for name in $IMAGES; do build_image "$name"; done

if [ -S "$CONTAINERD_SOCK" ]; then
  for name in $IMAGES; do load_image "$REGISTRY/$name:$IMAGE_TAG"; done
  load_image "$REDIS_IMAGE"
else
  log "the local cluster is not running: images built but not loaded (npm run cluster -- up, then npm run images)"
fi
