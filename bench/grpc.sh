#!/usr/bin/env bash
# OIP v2 infer over gRPC against REST OIP infer, 1 and 1000 rows, one API process, one run.
set -euo pipefail
cd "$(dirname "$0")/.."
NEED_OHA=no
# shellcheck source=serving-setup.sh
source bench/serving-setup.sh
node bench/grpc-bench.mjs "$PWD/$models"
