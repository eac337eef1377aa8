#!/usr/bin/env bash
# The peers in one run, same trees (`npm run bench:peers`): MLServer 1.7.1 with its XGBoost
# runtime (OIP v2 infer), a seed-style Flask + gunicorn (2 workers) service, and this API, each
# serving the trainer's model of bench/api.sh (xgboost-model.json for the Python peers), one after
# the other under the same autocannon load and connections. The Python peers are installed into
# a venv under ~/.cache/peerloan-bench-peers by this script, never into the product.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent
models="$PWD/bench/.out/models"
[ -s "$models/current" ] || { echo "no model yet: run npm run bench:api once (it trains one)" >&2; exit 1; }
venv="$HOME/.cache/peerloan-bench-peers/venv"
if [ ! -x "$venv/bin/mlserver" ] || [ ! -x "$venv/bin/gunicorn" ]; then
  python3 -m venv "$venv"
  # uvloop 0.21+ has no event loop for MLServer 1.7.1's start-up ("no current event loop in thread 'MainThread'").
  "$venv/bin/pip" install --quiet 'mlserver==1.7.1' 'mlserver-xgboost==1.7.1' 'uvloop<0.21' flask gunicorn
fi
PEERS_VENV="$venv" node bench/peers-bench.mjs "$models"
