#!/usr/bin/env bash
# The cluster's own numbers (issue 26): the ingress's cost, the HPA's step, apply to first answer,
# a promotion reaching every pod, a 1M-row portfolio with 1 and 2 workers (bench/cluster-bench.mjs).
# Uses the running local cluster (`npm run cluster -- up`), else brings one up and down again.
set -euo pipefail
cd "$(dirname "$0")/.."
NEED_MODEL=no
# shellcheck source=serving-setup.sh
source bench/serving-setup.sh
node bench/cluster-bench.mjs
