#!/usr/bin/env bash
# Every peer on the same trees, one run (`npm run bench:peers`): this API, MLServer 1.7.1's
# XGBoost runtime, Flask + gunicorn, KServe's ModelServer, BentoML and Ray Serve, one after the
# other under the same load (bench/peers-bench.mjs). Each Python peer gets its own venv under
# ~/.cache/peerloan-bench-peers (never in the repo), made on the first run and again when its pins
# change. Triton does not run here (bench/peers-bench.mjs says why).
#   PEERS_DURATION=3 npm run bench:peers            a smoke: 3 s per measured part of a line
#   PEERS_MODELS=<models root> npm run bench:peers  another model (default: bench/.out/models,
#                                                   trained on the shipped quarter if missing)
#   PEERS=kserve,ray npm run bench:peers            some peers only (this API always runs)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PEERS_MODELS:-}" ]; then
  npm run build --silent
  models=$PEERS_MODELS
else
  NEED_OHA=no
  # shellcheck source=serving-setup.sh
  source bench/serving-setup.sh
fi
venvs="$HOME/.cache/peerloan-bench-peers"

# peer_venv NAME PIN...: the venv NAME with exactly these pins, made anew when they change.
peer_venv() {
  local dir="$venvs/$1"
  shift
  [ "$(cat "$dir/.pins" 2>/dev/null)" = "$*" ] && return
  echo "installing $* into $dir (once)" >&2
  rm -rf "$dir"
  python3 -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$@"
  echo "$*" >"$dir/.pins"
}
# uvloop 0.21+ has no event loop for MLServer 1.7.1's start-up ("no current event loop in thread 'MainThread'").
peer_venv mlserver mlserver==1.7.1 mlserver-xgboost==1.7.1 'uvloop<0.21' xgboost==3.2.0
# xgboost-cpu: the same xgboost without the CUDA libraries (NCCL, about 470 MB a venv).
peer_venv flask flask==3.1.3 gunicorn==27.0.1 xgboost-cpu==3.2.0
peer_venv kserve kserve==0.21.0 xgboost-cpu==3.2.0
peer_venv bentoml bentoml==1.4.40 xgboost-cpu==3.2.0
peer_venv ray 'ray[serve]==2.60.0' xgboost-cpu==3.2.0
BENCH_SECONDS="${PEERS_DURATION:-${BENCH_SECONDS:-10}}" PEERS_VENVS="$venvs" node bench/peers-bench.mjs "$(realpath "$models")"
