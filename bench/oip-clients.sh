#!/usr/bin/env bash
# Checks the Open Inference Protocol routes with a real client: NVIDIA's tritonclient from PyPI
# (in bench/.venv), against the API serving a model trained on generated loans.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
bench/.venv/bin/pip install -q "tritonclient[http]" numpy
models=bench/.out/oip-models
if [ ! -s "$models/current" ]; then
  mkdir -p bench/.out
  node trainer-job/bin/loanrisk-generate.js --rows 20000 --seed 3 --out bench/.out/oip-loans.csv
  node trainer-job/bin/loanrisk-train.js --data bench/.out/oip-loans.csv --out "$models" --termination-log bench/.out/oip-termination.json --quiet >/dev/null
fi
PORT=18097 MODEL_DIR="$models" LOG_LEVEL=warn node api/dist/src/main.js &
api=$!
trap 'kill "$api"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18097/readyz >/dev/null && break; sleep 0.1; done
bench/.venv/bin/python bench/triton_client_check.py http://127.0.0.1:18097
