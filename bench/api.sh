#!/usr/bin/env bash
# Serving benchmark: the prediction API against an empty Express 5 handler in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=serving-setup.sh
source bench/serving-setup.sh
node bench/api-bench.mjs "$PWD/$models"
