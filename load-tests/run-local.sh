#!/usr/bin/env bash
# Runs one k6 script against a local stand-in for the cluster, on 127.0.0.1 only:
#   a small model trained by the trainer CLI on generated loans,
#   two API processes (node api/dist/src/main.js), the two replicas of a Deployment,
#   nginx (Debian's nginx-light) in front of both, standing in for the ingress controller.
# For rollout.js it also swaps the model version under steady load (a new version folder in the
# models root, then `current` repointed, as a training Job does) and restarts one replica
# (SIGTERM, wait, start again, as a rolling update does). The exit code is k6's: non-zero when a
# threshold breaks.
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

# ---- nginx in front, as the ingress controller -----------------------------------------------
proxy_port=$(free_port)
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  upstream api {
    server 127.0.0.1:${ports[api-0]} max_fails=0;
    server 127.0.0.1:${ports[api-1]} max_fails=0;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$proxy_port;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_connect_timeout 2s;
      # ingress-nginx's default: only a failed connection (or a timeout) goes to the other
      # replica; a POST already sent is not retried, so a replica that drops one fails the run.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 2;
    }
  }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log" &
pids[nginx]=$!
base_url=http://127.0.0.1:$proxy_port
wait_ready "$base_url" 10
log "nginx $base_url -> api-0 :${ports[api-0]}, api-1 :${ports[api-1]}"

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
log "restarting api-0 under load (SIGTERM, drain, start)"
kill -TERM "${pids[api-0]}"
wait "${pids[api-0]}" || { log "api-0 did not exit cleanly"; kill -TERM "$k6_pid"; exit 1; }
start_api api-0
wait_ready "http://127.0.0.1:${ports[api-0]}" 30
log "api-0 is back with $(served_version "http://127.0.0.1:${ports[api-0]}")"
wait "$k6_pid"
