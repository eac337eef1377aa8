#!/usr/bin/env bash
# Writes manifests/install/10-loan-risk.yaml: the chart rendered with its default values into
# the namespace "peerloan", for clusters installed without Helm (kubectl apply). The chart stays
# the one source; a test fails when this file is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(bash scripts/install-tools.sh | tail -n 1)
{
  echo "# Generated from charts/loan-risk (default values, namespace peerloan) by"
  echo "# scripts/render-install-manifests.sh; do not edit by hand. Redis requires a password from"
  echo "# the Secret loan-risk-redis-auth (key password), which you create first, e.g."
  echo "#   kubectl -n peerloan create secret generic loan-risk-redis-auth --from-literal=password=\$(openssl rand -hex 24)"
  "$bin/helm" template loan-risk charts/loan-risk --namespace peerloan --skip-tests --set redis.auth.existingSecret=loan-risk-redis-auth
} > manifests/install/10-loan-risk.yaml
echo "wrote manifests/install/10-loan-risk.yaml" >&2
