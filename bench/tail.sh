#!/usr/bin/env bash
# How steady the p99 at half the maximum rate is: many fixed-rate lines on one API process
# (bench/tail-lines.mjs). TAIL_LINES (default 10) lines per path.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=serving-setup.sh
source bench/serving-setup.sh
node bench/tail-lines.mjs "$PWD/$models"
