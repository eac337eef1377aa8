#!/usr/bin/env bash
# Debian packages the platform and its tests need: XGBoost's C library (trainer), Redis
# (queues), Chromium (web page test), ShellCheck (`npm run lint:charts-scripts`), Python's venv
# (the Python clients the API tests drive: scripts/install-python-clients.sh), jq (the README's production commands, run by
# load-tests' prod-commands test); with `cluster`, also what the local Kubernetes needs:
# containerd, runc, CNI plugins, iptables, buildah and mmdebstrap (images without a registry),
# openssl (certificates).
# Usage: install-system-deps.sh [cluster]
set -euo pipefail
packages=(libxgboost0 redis-server chromium shellcheck python3-venv jq)
if [ "${1:-}" = cluster ]; then
  packages+=(containerd runc containernetworking-plugins iptables conntrack buildah mmdebstrap openssl)
fi
need=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
echo "system packages: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The Debian services must not hold the default ports or sockets; tests and the local cluster
# start their own instances.
for svc in redis-server containerd; do
  (service "$svc" stop || true) >/dev/null 2>&1
done
echo "system packages: done"
