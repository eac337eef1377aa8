#!/usr/bin/env bash
# Sourced by the serving benchmarks (api.sh, tail.sh, grpc.sh): builds the project, trains the
# model once (unless NEED_MODEL=no: cluster.sh trains in the cluster) and exports OHA (unless
# NEED_OHA=no: grpc.sh runs no open-loop lines). Model: the
# default training on the shipped quarter (data/peerLoanTraining.csv.gz); kept in bench/.out/models
# between runs.
npm run build --silent
models=bench/.out/models
mkdir -p bench/.out
if [ "${NEED_MODEL:-yes}" != no ] && [ ! -s "$models/current" ]; then
  node trainer-job/bin/loanrisk-train.js --data data/peerLoanTraining.csv.gz --out "$models" --termination-log bench/.out/termination.json --quiet
fi
# oha, the fixed-rate load generator (bench/oha-open-loop.mjs): OHA names one, else it is built
# once with cargo into bench/.out/tools (about 3 minutes on 2 cores; crates.io must be reachable).
if [ "${NEED_OHA:-yes}" != no ] && [ -z "${OHA:-}" ]; then
  OHA=$PWD/bench/.out/tools/bin/oha
  if [ ! -x "$OHA" ]; then
    command -v cargo >/dev/null || { echo "the serving benchmarks need oha: install Rust's cargo, or set OHA to an oha binary" >&2; exit 1; }
    echo "building oha 1.16.0 into bench/.out/tools (once)" >&2
    cargo install oha --version 1.16.0 --locked --root bench/.out/tools --quiet
  fi
fi
export OHA
