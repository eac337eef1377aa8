#!/usr/bin/env bash
# Training benchmark: the default search on the real quarter (data/peerLoanTraining.csv.gz, shipped
# in the repo; the trainer and pandas both read it gzip-compressed), then the same
# grid through Python xgboost + scikit-learn as the reference. Prints a markdown table.
# Usage: bash bench/train.sh [csv]   (npm run bench:train)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-data/peerLoanTraining.csv.gz}
out=bench/.out
mkdir -p "$out"
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install -q xgboost==2.1.4 scikit-learn==1.9.1 imbalanced-learn==0.14.2 pandas
fi
npm run build --silent
node --input-type=module -e "import { DEFAULT_CONFIG } from '@peerloan/trainer-job'; console.log(JSON.stringify(DEFAULT_CONFIG))" > "$out/default-config.json"

/usr/bin/time -f '%e %M' -o "$out/ts.time" node trainer-job/bin/loanrisk-train.js --data "$data" --out "$out/models" \
  --termination-log "$out/ts-summary.json" --quiet > /dev/null
read -r ts_seconds ts_rss_kb < "$out/ts.time"
/usr/bin/time -f '%e %M' -o "$out/py.time" bench/.venv/bin/python bench/reference_train.py "$data" "$out/default-config.json" > "$out/py.json" 2>/dev/null
read -r py_seconds py_rss_kb < "$out/py.time"

node --input-type=module - "$out" "$ts_seconds" "$ts_rss_kb" "$py_seconds" "$py_rss_kb" <<'JS'
import { readFileSync } from 'node:fs';
const [out, tsSeconds, tsRss, pySeconds, pyRss] = process.argv.slice(2);
const summary = JSON.parse(readFileSync(`${out}/ts-summary.json`, 'utf8'));
const manifest = JSON.parse(readFileSync(`${summary.path}/manifest.json`, 'utf8'));
const py = JSON.parse(readFileSync(`${out}/py.json`, 'utf8'));
const cv = manifest.metrics.cv;
const f = (x, d = 4) => Number(x).toFixed(d);
console.log(`| trainer | wall s | peak RSS MiB | candidates | best CV ROC AUC (std) | PR AUC | Brier |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- |`);
console.log(`| TypeScript + libxgboost ${manifest.model.engine.split(' ')[1]} | ${f(tsSeconds, 1)} | ${(tsRss / 1024).toFixed(0)} | ${manifest.model.candidates.length} | ${f(cv.rocAuc.mean)} (${f(cv.rocAuc.std)}) | ${f(cv.prAuc.mean)} | ${f(cv.brier.mean)} |`);
console.log(`| Python xgboost ${py.xgboost} + scikit-learn | ${f(pySeconds, 1)} | ${(pyRss / 1024).toFixed(0)} | ${manifest.model.candidates.length} | ${f(py.rocAuc)} | | |`);
console.log(`\ntime ratio TS/Python: ${f(tsSeconds / pySeconds, 2)}; CV AUC difference TS - Python: ${f(cv.rocAuc.mean - py.rocAuc)}`);
console.log(`chosen: ${manifest.model.strategy} ${JSON.stringify(manifest.model.params)}, ${manifest.model.rounds} rounds; Python chose ${py.best.strategy} ${JSON.stringify(py.best.params)}`);
JS
