#!/usr/bin/env bash
# Batch scoring and drift benchmark (issue 5): 1M generated loans through POST /batches and the
# batch workers, the drift worker's events/s, and Redis memory per million logged predictions.
# Starts its own redis-server, API and worker processes on 127.0.0.1. Usage: bash bench/queues.sh [rows]
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
mkdir -p bench/.out
models=bench/.out/queue-models
if [ ! -s "$models/current" ]; then
  node trainer-job/bin/loanrisk-generate.js --rows 50000 --seed 1 --out bench/.out/queue-train.csv
  node trainer-job/bin/loanrisk-train.js --data bench/.out/queue-train.csv --out "$models" --termination-log bench/.out/queue-termination.json --quiet
fi
rows=${1:-1000000}
[ -f "bench/.out/portfolio-$rows.csv" ] || node trainer-job/bin/loanrisk-generate.js --rows "$rows" --seed 7 --no-label --with-id --out "bench/.out/portfolio-$rows.csv"
node bench/queue-bench.mjs "$PWD/$models" "$PWD/bench/.out/portfolio-$rows.csv" "$rows"
