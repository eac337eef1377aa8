#!/usr/bin/env bash
# The main job on a fresh machine: install, build, generate sample loans, train a model on them
# (once), then serve it: the prediction API and its web page on http://127.0.0.1:8080/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
export ONNXRUNTIME_NODE_INSTALL=skip
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
mkdir -p .data models
if [ ! -s models/current ]; then
  [ -f .data/sample-loans.csv ] || node trainer-job/bin/loanrisk-generate.js --rows 50000 --seed 1 --out .data/sample-loans.csv
  node trainer-job/bin/loanrisk-train.js --data .data/sample-loans.csv --out models --termination-log .data/termination.json
fi
echo "model: models/$(cat models/current) (report: models/$(cat models/current)/report.html)"
echo "serving on http://${HOST:-127.0.0.1}:${PORT:-8080}/ (Ctrl-C stops)"
MODEL_DIR="${MODEL_DIR:-models}" exec node api/dist/src/main.js
