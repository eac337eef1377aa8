#!/usr/bin/env bash
# Operator reconcile throughput and memory with $MODELS (default 200) LoanRiskModels against a
# real kube-apiserver + etcd. Prints one JSON object; docs/BENCHMARKS.md records the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."
PEERLOAN_TOOLS_BIN=$(bash scripts/install-tools.sh | tail -n 1)
export PEERLOAN_TOOLS_BIN
npm run build --silent
node operator/dist/bench/reconcile-throughput.js
