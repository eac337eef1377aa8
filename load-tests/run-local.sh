#!/usr/bin/env bash
# Runs one k6 script against a local stand-in for the cluster, on 127.0.0.1 only:
#   a small model trained by the trainer CLI on generated loans,
#   two API processes (node api/dist/src/main.js), the two replicas of a Deployment,
#   Traefik in front of both, as the local cluster's ingress controller (scripts/install-tools.sh
#   builds it).
# For rollout.js it also swaps the model version under steady load (a new version folder in the
# models root, then `current` repointed, as a training Job does) and restarts one replica (out of
# Traefik's routes, SIGTERM, wait, start again, back in: a rolling update's order). The exit code
# is k6's: non-zero when a threshold breaks.
#
#   bash load-tests/run-local.sh smoke.js [k6 options...]
#   npm run load -w load-tests -- load.js -e RATE=300
# With BASE_URL set, no local stack is started: k6 runs against that URL.
# Environment: API_MAIN (API entrypoint, default api/dist/src/main.js), TRAIN_ROWS (4000),
# K6_SUMMARY (file for k6's end-of-test summary as JSON).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
script=${1:?usage: run-local.sh <script.js> [k6 options...]}
shift
[ -f "$here/$script" ] || { echo "run-local: no such script load-tests/$script" >&2; exit 2; }

bin=$(bash "$root/scripts/install-tools.sh" | tail -n 1)
api_main=${API_MAIN:-$root/api/dist/src/main.js}
trainer_main=$root/trainer-job/dist/src/main.js
generate_main=$root/trainer-job/dist/src/generate-main.js
log() { echo "run-local: $*" >&2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/peerloan-load-XXXXXX")
declare -A pids=()
cleanup() {
  local name
  for name in "${!pids[@]}"; do kill -TERM "${pids[$name]}" 2>/dev/null || true; done
  for name in "${!pids[@]}"; do wait "${pids[$name]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

k6_args=(run --quiet -e "PAYLOADS=$work/loans.json")
[ -n "${K6_SUMMARY:-}" ] && k6_args+=(--summary-export "$K6_SUMMARY")
k6_args+=("$@")

# More loans than the committed lib/loans.json (200): the set docs/BENCHMARKS.md was measured with.
node "$here/payloads.mjs" --rows 2000 --seed 7 --out "$work/loans.json" >/dev/null

if [ -n "${BASE_URL:-}" ]; then
  log "k6 $script against $BASE_URL"
  cd "$here"
  "$bin/k6" "${k6_args[@]}" -e "BASE_URL=$BASE_URL" "$script"
  exit $?
fi

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

# GET <url>/readyz; prints the body, fails unless 200 (node, so no curl is needed).
readyz() {
  node -e 'fetch(process.argv[1]).then((r) => (r.ok ? r.text() : Promise.reject())).then((t) => console.log(t), () => process.exit(1))' "$1/readyz"
}

wait_ready() { # url, seconds
  local deadline=$((SECONDS + $2))
  until readyz "$1" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { log "$1 not ready after $2 s"; return 1; }
    sleep 0.2
  done
}

served_version() { readyz "$1" | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).modelVersion ?? ""))'; }

train() { # seed, out root
  node "$trainer_main" --data "$work/loans.csv" --out "$2" --config "$work/train.json" --seed "$1" \
    --termination-log "$work/termination-$1.json" --quiet >/dev/null
  tr -d '\n' < "$2/current"
}

# ---- a small model (two for rollout.js: the live one and the next) ---------------------------
log "training on generated loans"
node "$generate_main" --rows "${TRAIN_ROWS:-4000}" --seed 3 --out "$work/loans.csv" >/dev/null
cat > "$work/train.json" <<'JSON'
{"folds": 2, "grid": {"max_depth": [3], "eta": [0.3], "min_child_weight": [1], "subsample": [1], "colsample_bytree": [1]},
 "imbalance": ["none"], "maxRounds": 30, "earlyStoppingRounds": 10}
JSON
if [ "$script" = rollout.js ]; then
  train 2 "$work/next" > "$work/next.version" &
  next_trainer=$!
fi
live=$(train 1 "$work/models")
if [ "$script" = rollout.js ]; then
  wait "$next_trainer"
  next=$(cat "$work/next.version")
  [ "$next" != "$live" ] || { log "the second model has the same version $live"; exit 1; }
fi
log "model $live"

# ---- two API replicas ----------------------------------------------------------------------
declare -A ports=()
start_api() { # replica name
  PORT=${ports[$1]} GRPC_PORT=0 HOST=127.0.0.1 MODEL_DIR="$work/models" MODEL_POLL_MS=250 LOG_LEVEL=warn \
    node "$api_main" >>"$work/$1.log" 2>&1 &
  pids[$1]=$!
}
for replica in api-0 api-1; do
  ports[$replica]=$(free_port)
  start_api "$replica"
done
for replica in api-0 api-1; do wait_ready "http://127.0.0.1:${ports[$replica]}" 30; done

# ---- Traefik in front, as the local cluster's ingress controller -----------------------------
# The same binary and settings as scripts/cluster/addons/traefik.yaml: the fast proxy and the
# retry-unsent middleware, read from the cluster's own file (scripts/cluster/traefik-middlewares.yaml).
# That middleware retries only what a replica never received (a POST already sent is not retried,
# so a replica that drops one fails the run). The routes come from a watched file, so a replica
# leaves and rejoins without Traefik closing a single client connection, as it follows a
# Service's endpoints on the cluster.
proxy_port=$(free_port)
traefik_api=http://127.0.0.1:$(free_port)
mkdir -p "$work/traefik/dynamic"
cp "$here/../scripts/cluster/traefik-middlewares.yaml" "$work/traefik/dynamic/middlewares.yaml"
write_routes() { # replica names that get traffic
  local replica servers=""
  for replica in "$@"; do servers+="          - url: http://127.0.0.1:${ports[$replica]}"$'\n'; done
  cat > "$work/traefik/routes.tmp" <<YAML
http:
  routers:
    api: { rule: "PathPrefix(\`/\`)", entryPoints: [web], service: api, middlewares: [retry-unsent] }
  services:
    api:
      loadBalancer:
        servers:
$servers
YAML
  mv "$work/traefik/routes.tmp" "$work/traefik/dynamic/routes.yaml"
}
# Prints the URLs Traefik routes to right now, one per line (its API's view, not the file's).
routed_urls() {
  node -e 'fetch(process.argv[1]).then((r) => (r.ok ? r.json() : Promise.reject())).then((s) => s.loadBalancer.servers.forEach((x) => console.log(x.url)), () => process.exit(1))' \
    "$traefik_api/api/http/services/api@file"
}
wait_routes() { # replica names: returns once Traefik routes to exactly these (15 s at most)
  local replica want="" deadline=$((SECONDS + 15))
  for replica in "$@"; do want+="http://127.0.0.1:${ports[$replica]}"$'\n'; done
  until [ "$(routed_urls 2>/dev/null | sort)" = "$(printf '%s' "$want" | sort)" ]; do
    [ $SECONDS -lt $deadline ] || { log "Traefik did not route to: $*"; return 1; }
    sleep 0.2
  done
}
write_routes api-0 api-1
"$bin/traefik" --entryPoints.web.address="127.0.0.1:$proxy_port" --entryPoints.traefik.address="${traefik_api#http://}" \
  --api.insecure=true --ping=true --experimental.fastProxy=true \
  --providers.file.directory="$work/traefik/dynamic" --providers.file.watch=true \
  --log.level=ERROR --global.checkNewVersion=false --global.sendAnonymousUsage=false \
  >>"$work/traefik/traefik.log" 2>&1 &
pids[traefik]=$!
base_url=http://127.0.0.1:$proxy_port
wait_ready "$base_url" 20
wait_routes api-0 api-1
log "Traefik $base_url -> api-0 :${ports[api-0]}, api-1 :${ports[api-1]}"

cd "$here"
if [ "$script" != rollout.js ]; then
  "$bin/k6" "${k6_args[@]}" -e "BASE_URL=$base_url" "$script"
  exit $?
fi

# ---- rollout: steady load, a model swap, then a replica restart ------------------------------
"$bin/k6" "${k6_args[@]}" -e "BASE_URL=$base_url" -e "NEW_VERSION=$next" "$script" &
k6_pid=$!
sleep 8
log "publishing model $next under load"
cp -r "$work/next/$next" "$work/models/.$next.tmp"
mv "$work/models/.$next.tmp" "$work/models/$next"
printf '%s\n' "$next" > "$work/models/.current.tmp"
mv "$work/models/.current.tmp" "$work/models/current"
deadline=$((SECONDS + 15))
for replica in api-0 api-1; do
  until [ "$(served_version "http://127.0.0.1:${ports[$replica]}")" = "$next" ]; do
    [ $SECONDS -lt $deadline ] || { log "$replica still serves the old model"; kill -TERM "$k6_pid"; exit 1; }
    sleep 0.2
  done
done
log "both replicas serve $next"
sleep 6
# A rolling update's order on the cluster: the pod leaves the Service's endpoints, its preStop
# pause (5 s, operator/src/children/deployment.ts) lets the ingress stop sending, then SIGTERM
# drains what is still in flight; the new pod gets traffic once it is ready.
log "restarting api-0 under load (out of the routes, SIGTERM, drain, start, back in)"
write_routes api-1
wait_routes api-1 || { kill -TERM "$k6_pid"; exit 1; }
sleep 2
kill -TERM "${pids[api-0]}"
wait "${pids[api-0]}" || { log "api-0 did not exit cleanly"; kill -TERM "$k6_pid"; exit 1; }
start_api api-0
wait_ready "http://127.0.0.1:${ports[api-0]}" 30
write_routes api-0 api-1
wait_routes api-0 api-1 || { kill -TERM "$k6_pid"; exit 1; }
log "api-0 is back with $(served_version "http://127.0.0.1:${ports[api-0]}")"
wait "$k6_pid"
