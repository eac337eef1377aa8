#!/usr/bin/env bash
# Serving benchmark: the prediction API against an empty Express 5 handler in the same run.
# Model: the default training on ../shared/data/peerLoanTraining.csv when present (never
# committed), else on 100,000 generated loans; kept in bench/.out/models between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
models=bench/.out/models
mkdir -p bench/.out
if [ ! -s "$models/current" ]; then
  data=../shared/data/peerLoanTraining.csv
  if [ ! -f "$data" ]; then
    data=bench/.out/generated-loans.csv
    node trainer-job/bin/loanrisk-generate.js --rows 100000 --seed 1 --out "$data"
  fi
  node trainer-job/bin/loanrisk-train.js --data "$data" --out "$models" --termination-log bench/.out/termination.json --quiet
fi
node bench/api-bench.mjs "$PWD/$models"
