#!/usr/bin/env bash
# Builds the control-plane and tooling binaries the tests need from the Go module proxy:
# kube-apiserver + etcd (real API server for operator/chart tests), helm, k6.
# Binaries are cached outside the clone and rebuilt only when a pinned version changes.
# Prints the bin directory on the last line of stdout.
set -euo pipefail

KUBE_VERSION=1.32.3
ETCD_VERSION=3.5.16
HELM_VERSION=3.16.4
K6_VERSION=0.57.0

cache_root=${PEERLOAN_TOOLS_CACHE:-$HOME/.cache/peerloan-tools}
bin="$cache_root/bin"
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS=-mod=mod

log() { echo "tools: $*" >&2; }

have() { [ -x "$bin/$1" ] && [ "$(cat "$bin/$1.version" 2>/dev/null)" = "$2" ]; }
mark() { echo "$2" > "$bin/$1.version"; }

build_control_plane() {
  if have kube-apiserver "$KUBE_VERSION" && have etcd "$ETCD_VERSION"; then return; fi
  log "building kube-apiserver v$KUBE_VERSION and etcd v$ETCD_VERSION (about 4 minutes, once)"
  local mod="$cache_root/src/control-plane-$KUBE_VERSION"
  mkdir -p "$mod"
  cd "$mod"
  if [ ! -f go.mod ]; then
    go mod init peerloan.local/control-plane >/dev/null 2>&1
    local gomod
    gomod=$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    # k8s.io/kubernetes points its staging modules at ./staging; pin each to its published tag.
    local minor=${KUBE_VERSION#1.}
    grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging' "$gomod" | awk '{print $1}' | while read -r m; do
      go mod edit -replace "$m=$m@v0.$minor"
    done
    go mod edit -require "k8s.io/kubernetes@v$KUBE_VERSION" -require "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
    cat > tools.go <<'GO'
//go:build tools

package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
GO
    go mod tidy >/dev/null 2>&1 || true
  fi
  go build -o "$bin/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  mark kube-apiserver "$KUBE_VERSION"
  go build -o "$bin/etcd" go.etcd.io/etcd/server/v3
  mark etcd "$ETCD_VERSION"
}

build_go_tool() {
  local name=$1 version=$2 pkg=$3
  if have "$name" "$version"; then return; fi
  log "building $name v$version (about a minute, once)"
  GOBIN="$bin" go install "$pkg@v$version"
  mark "$name" "$version"
}

build_control_plane
build_go_tool helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm
build_go_tool k6 "$K6_VERSION" go.k6.io/k6
log "ready in $bin"
echo "$bin"
