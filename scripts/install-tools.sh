#!/usr/bin/env bash
# Builds the Kubernetes and tooling binaries from the Go module proxy, cached outside the clone
# and rebuilt only when a pinned version changes:
#   test:    kube-apiserver + etcd (operator/chart tests), helm, k6, promtool (the chart's alerts),
#            Traefik (the ingress controller, also in front of load-tests/run-local.sh's replicas)
#   cluster: kubelet, kube-controller-manager, kube-scheduler, kube-proxy, kubectl, CoreDNS,
#            metrics-server, and a pause image binary
# Usage: install-tools.sh [test|cluster|all]   (default: test; cluster and all are the same)
# Prints the bin directory on the last line of stdout.
set -euo pipefail

KUBE_VERSION=1.32.3
ETCD_VERSION=3.5.16
HELM_VERSION=3.16.4
K6_VERSION=0.57.0
# Prometheus 3.x publishes its Go module as v0.3xx.y; promtool checks and unit-tests the chart's rules.
PROMTOOL_VERSION=0.316.0
COREDNS_VERSION=1.11.3
TRAEFIK_VERSION=3.6.12
METRICS_SERVER_VERSION=0.8.0

what=${1:-test}
repo_root=$(cd "$(dirname "$0")/.." && pwd)
cache_root=${PEERLOAN_TOOLS_CACHE:-$HOME/.cache/peerloan-tools}
bin="$cache_root/bin"
mkdir -p "$bin"
export CGO_ENABLED=0 GOFLAGS=-mod=mod

log() { echo "tools: $*" >&2; }

# A binary counts as present only with the version marker written after a successful build.
have() { [ -x "$bin/$1" ] && [ "$(cat "$bin/$1.version" 2>/dev/null)" = "$2" ]; }
mark() { echo "$2" > "$bin/$1.version"; }

# A throwaway module that requires <module>@<version> and copies that module's own replace and
# exclude lines (go install refuses modules that carry them; the build needs them).
throwaway_module() {
  local dir=$1 module=$2 version=$3
  mkdir -p "$dir"
  cd "$dir"
  [ -f go.mod ] && return
  go mod init "peerloan.local/$(basename "$dir")" >/dev/null 2>&1
  local gomod
  gomod=$(go mod download -json "$module@$version" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  go mod edit -require "$module@$version"
  awk '/^replace \(/{r=1;next} r&&/^\)/{r=0} r{print} /^replace [^(]/{sub(/^replace /,"");print}' "$gomod" \
    | { grep '=>' || true; } | { grep -v '=> \./' || true; } | while read -r from _ to tover; do
      go mod edit -replace "$from=$to@$tover"
    done
  awk '/^exclude \(/{e=1;next} e&&/^\)/{e=0} e{print $1"@"$2} /^exclude [^(]/{print $2"@"$3}' "$gomod" \
    | while read -r ex; do go mod edit -exclude "$ex"; done
}

tools_go() {
  { echo '//go:build tools'; echo; echo 'package tools'; echo; echo 'import ('
    for p in "$@"; do echo "	_ \"$p\""; done
    echo ')'; } > tools.go
  go mod tidy >/dev/null 2>&1 || true
}

kube_module() {
  local mod="$cache_root/src/kubernetes-$KUBE_VERSION"
  mkdir -p "$mod"
  cd "$mod"
  [ -f go.mod ] && return
  go mod init peerloan.local/kubernetes >/dev/null 2>&1
  local gomod
  gomod=$(go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  # k8s.io/kubernetes points its staging modules at ./staging; pin each to its published tag.
  local minor=${KUBE_VERSION#1.}
  grep -E '^\s*k8s.io/[a-z0-9-]+ => ./staging' "$gomod" | awk '{print $1}' | while read -r m; do
    go mod edit -replace "$m=$m@v0.$minor"
  done
  go mod edit -require "k8s.io/kubernetes@v$KUBE_VERSION" -require "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  tools_go go.etcd.io/etcd/server/v3 k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubelet \
    k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kube-proxy k8s.io/kubernetes/cmd/kubectl
}

# Without these, servers report v0.0.0-master and kubectl cannot parse the version.
kube_ldflags() {
  local minor=${KUBE_VERSION#1.}; minor=${minor%%.*}
  echo "-s -w -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=v$KUBE_VERSION"
}

build_kube() {
  local name
  for name in "$@"; do
    have "$name" "$KUBE_VERSION" && continue
    kube_module
    log "building $name v$KUBE_VERSION (1-4 minutes, once)"
    go build -ldflags "$(kube_ldflags)" -o "$bin/$name" "k8s.io/kubernetes/cmd/$name"
    mark "$name" "$KUBE_VERSION"
  done
}

build_etcd() {
  have etcd "$ETCD_VERSION" && return
  kube_module
  log "building etcd v$ETCD_VERSION"
  go build -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
  mark etcd "$ETCD_VERSION"
}

build_go_tool() {
  local name=$1 version=$2 pkg=$3
  have "$name" "$version" && return
  log "building $name v$version (about a minute, once)"
  GOBIN="$bin" go install -ldflags "-s -w" "$pkg@v$version"
  mark "$name" "$version"
}

build_in_module() {
  local name=$1 module=$2 version=$3 pkg=$4 minutes=$5 ldflags=${6:-}
  have "$name" "$version" && return
  log "building $name v$version (about $minutes minutes, once)"
  throwaway_module "$cache_root/src/$name-$version" "$module" "v$version"
  tools_go "$pkg"
  go build -ldflags "-s -w $ldflags" -o "$bin/$name" "$pkg"
  mark "$name" "$version"
}

# The sandbox image every Pod starts with: waits for signals and reaps children.
build_pause() {
  local src="$repo_root/scripts/cluster/pause"
  local sum; sum=$(sha256sum "$src/main.go" | cut -c1-16)
  have pause "$sum" && return
  log "building pause"
  (cd "$src" && go build -ldflags "-s -w" -o "$bin/pause" .)
  mark pause "$sum"
}

test_tools() {
  build_kube kube-apiserver
  build_etcd
  build_go_tool helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm
  build_go_tool k6 "$K6_VERSION" go.k6.io/k6
  build_go_tool promtool "$PROMTOOL_VERSION" github.com/prometheus/prometheus/cmd/promtool
  build_in_module traefik github.com/traefik/traefik/v3 "$TRAEFIK_VERSION" \
    github.com/traefik/traefik/v3/cmd/traefik 10
}

cluster_tools() {
  test_tools
  build_kube kubectl kubelet kube-controller-manager kube-scheduler kube-proxy
  build_pause
  build_in_module coredns github.com/coredns/coredns "$COREDNS_VERSION" github.com/coredns/coredns 4
  build_in_module metrics-server sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION" \
    sigs.k8s.io/metrics-server/cmd/metrics-server 3 \
    "-X k8s.io/component-base/version.gitVersion=v$METRICS_SERVER_VERSION"
}

case "$what" in
  test) test_tools ;;
  cluster|all) cluster_tools ;;
  *) echo "usage: install-tools.sh [test|cluster|all]" >&2; exit 2 ;;
esac
log "ready in $bin"
echo "$bin"
