#!/usr/bin/env bash
# CPU profile of one API process under single-row load: node --cpu-prof while autocannon sends
# one-applicant POST /predict (reasons on, the default) for PROFILE_SECONDS, then a summary of
# where the main thread's time went (bench/profile-summary.mjs). Uses the model of bench/api.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
models="${MODELS:-$PWD/bench/.out/models}"
[ -s "$models/current" ] || { echo "no model yet: run bash bench/api.sh once (it trains one)" >&2; exit 1; }
dir=bench/.out/profile
rm -rf "$dir" && mkdir -p "$dir"
PORT=18095 HOST=127.0.0.1 LOG_LEVEL=warn MODEL_DIR="$models" node --no-memory-reducer --cpu-prof --cpu-prof-dir="$dir" api/dist/src/main.js &
api=$!
trap 'kill $api 2>/dev/null || true' EXIT
until curl -fs http://127.0.0.1:18095/readyz >/dev/null; do sleep 0.2; done
# PROFILE_INSTANCES=1000 profiles {"instances": [...]} requests of that many rows instead.
node -e "import('@peerloan/trainer-job/synthetic-data').then(({ generateLoans }) => { const n = Number(process.env.PROFILE_INSTANCES ?? 0); const rows = [...generateLoans({ rows: Math.max(n, 1), seed: 7 })].map((l) => l.record); console.log(JSON.stringify(n > 0 ? { instances: rows } : rows[0])); })" > "$dir/body.json"
query=${PROFILE_QUERY:-}
path=/predict
# PROFILE_OIP=1 profiles OIP v2 infer with the same applicant as one [1,1] tensor per feature.
if [ -n "${PROFILE_OIP:-}" ]; then
  path=/v2/models/loan-risk/infer
  node -e "import('@peerloan/contracts').then(({ FEATURES }) => { const a = JSON.parse(require('fs').readFileSync('$dir/body.json', 'utf8')); console.log(JSON.stringify({ inputs: FEATURES.map((f) => ({ name: f.name, shape: [1, 1], datatype: f.kind === 'categorical' ? 'BYTES' : 'FP32', data: [a[f.name] ?? (f.kind === 'categorical' ? '' : null)] })) })); })" > "$dir/infer.json"
  mv "$dir/infer.json" "$dir/body.json"
fi
echo "load average before: $(cut -d' ' -f1 /proc/loadavg)"
connections=${BENCH_CONNECTIONS:-32}
[ -z "${PROFILE_INSTANCES:-}" ] || connections=${BENCH_CONNECTIONS:-4}
node_modules/.bin/autocannon -c "$connections" -d "${PROFILE_SECONDS:-10}" -m POST -H 'content-type: application/json' -i "$dir/body.json" "http://127.0.0.1:18095$path$query" 2>&1 | grep -E 'Req/Sec|Latency|requests in' || true
echo "load average after: $(cut -d' ' -f1 /proc/loadavg)"
kill -TERM $api; wait $api || true
trap - EXIT
node bench/profile-summary.mjs "$dir"/*.cpuprofile
