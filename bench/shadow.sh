#!/usr/bin/env bash
# Shadow scoring's cost: the prediction API with and without a candidate in shadow mode, one run.
# Models: the default training on the shipped quarter (data/peerLoanTraining.csv.gz); the live one with seed 1, the candidate with seed 2
# (a retrain), kept in bench/.out/shadow-models between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
models=bench/.out/shadow-models
mkdir -p "$models"
data=data/peerLoanTraining.csv.gz
# The trainer prints its summary ({"version": ...}); its `current` pointer is not used here.
for seed in 1 2; do
  if [ ! -s "$models/seed-$seed" ]; then
    node trainer-job/bin/loanrisk-train.js --data "$data" --out "$models" --seed "$seed" \
      --termination-log "bench/.out/shadow-termination-$seed.json" --quiet \
      | node -e 'let s="";process.stdin.on("data",(c)=>s+=c).on("end",()=>console.log(JSON.parse(s).version))' > "$models/seed-$seed"
  fi
done
node bench/shadow-bench.mjs "$PWD/$models" "$(cat "$models/seed-1")" "$(cat "$models/seed-2")"
