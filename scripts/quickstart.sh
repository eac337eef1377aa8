#!/usr/bin/env bash
# The main job on a fresh machine: install, build, train a model on the real PeerLoan quarter
# shipped in data/ (once), then serve it: the prediction API and its web page on
# http://127.0.0.1:8080/.
#   QUICKSTART_DATA=generated npm start   trains on 50,000 seeded synthetic loans instead
#   QUICKSTART_DATA=loans.csv npm start   trains on your own CSV (plain or .gz)
# A change of QUICKSTART_DATA trains again; the same data reuses the model in models/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
export ONNXRUNTIME_NODE_INSTALL=skip
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
mkdir -p .data models

data=${QUICKSTART_DATA:-data/peerLoanTraining.csv.gz}
if [ "$data" = generated ]; then
  data=.data/sample-loans.csv
  [ -f "$data" ] || node trainer-job/bin/loanrisk-generate.js --rows 50000 --seed 1 --out "$data"
fi
trained_on=.data/quickstart-trained-on
if [ ! -s models/current ] || [ "$(cat "$trained_on" 2>/dev/null)" != "$data" ]; then
  echo "training on $data (a few minutes on 2 cores for the real quarter)"
  node trainer-job/bin/loanrisk-train.js --data "$data" --out models --termination-log .data/termination.json
  echo "$data" > "$trained_on"
fi
echo "model: models/$(cat models/current) (report: models/$(cat models/current)/report.html)"
echo "serving on http://${HOST:-127.0.0.1}:${PORT:-8080}/ (Ctrl-C stops)"
MODEL_DIR="${MODEL_DIR:-models}" exec node --no-memory-reducer api/dist/src/main.js
