#!/usr/bin/env bash
# Lints what TypeScript's tools do not see: the Helm chart (`helm lint --strict` with the defaults,
# each environment's values file, and with every optional monitoring object on) and the shell
# scripts (shellcheck, with .shellcheckrc: sourced files followed from the script's folder).
# Needs helm (scripts/install-tools.sh builds it) and shellcheck (scripts/install-system-deps.sh).
set -euo pipefail
shopt -s globstar nullglob
cd "$(dirname "$0")/.."

helm_bin=${PEERLOAN_TOOLS_BIN:-${PEERLOAN_TOOLS_CACHE:-$HOME/.cache/peerloan-tools}/bin}/helm
[ -x "$helm_bin" ] || helm_bin=$(bash scripts/install-tools.sh test | tail -1)/helm
chart=charts/loan-risk

lint_chart() {
  local what=$1; shift
  echo "lint: helm lint --strict $chart ($what)"
  "$helm_bin" lint --strict "$chart" "$@" >/dev/null || { "$helm_bin" lint --strict "$chart" "$@"; return 1; }
}

lint_chart defaults
for values in "$chart"/values-*.yaml; do lint_chart "$(basename "$values")" -f "$values"; done
lint_chart "monitoring on" --set monitoring.podMonitor.enabled=true --set monitoring.prometheusRule.enabled=true \
  --set monitoring.grafanaDashboard.enabled=true

scripts=(scripts/*.sh scripts/**/*.sh .ci/run load-tests/*.sh bench/*.sh)
mapfile -t scripts < <(printf '%s\n' "${scripts[@]}" | sort -u)
echo "lint: shellcheck ${#scripts[@]} scripts"
shellcheck "${scripts[@]}"
echo "lint: charts and scripts clean"
