#!/usr/bin/env bash
# The audit trail's cost on /predict: AUDIT_MODE off, best-effort and required against a real
# redis-server with an append-only file fsynced on every write (as the chart runs it). The model
# is trained on 20,000 generated loans (the audit's cost does not depend on the model); kept in
# bench/.out/audit-models between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
models=bench/.out/audit-models
mkdir -p bench/.out
if [ ! -s "$models/current" ]; then
  data=bench/.out/audit-loans.csv
  node trainer-job/bin/loanrisk-generate.js --rows 20000 --seed 1 --out "$data"
  node trainer-job/bin/loanrisk-train.js --data "$data" --out "$models" --termination-log bench/.out/audit-termination.json --quiet
fi
node bench/audit-bench.mjs "$PWD/$models"
