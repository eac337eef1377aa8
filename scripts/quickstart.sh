#!/usr/bin/env bash
# The main job on a fresh machine: install, build, train a model on the real PeerLoan quarter
# shipped in data/ (once), then run the whole product on this machine: an embedded Redis (Debian's
# redis-server on 127.0.0.1, data and password under .data/redis/), the workers (portfolio
# batches, drift, audit archive) and the API with the risk team's web app on
# http://127.0.0.1:8080/. Ctrl-C stops all three: the API and workers drain, Redis saves.
#   REDIS_URL=redis://... npm start     uses that Redis and starts none
#   QUICKSTART_DATA=generated npm start   trains on 50,000 seeded synthetic loans instead
#   QUICKSTART_DATA=loans.csv npm start   trains on your own CSV (plain or .gz)
# A change of QUICKSTART_DATA trains again; the same data reuses the model in models/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
export ONNXRUNTIME_NODE_INSTALL=skip
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
mkdir -p .data models

data=${QUICKSTART_DATA:-data/peerLoanTraining.csv.gz}
if [ "$data" = generated ]; then
  data=.data/sample-loans.csv
  [ -f "$data" ] || node trainer-job/bin/loanrisk-generate.js --rows 50000 --seed 1 --out "$data"
fi
trained_on=.data/quickstart-trained-on
if [ ! -s models/current ] || [ "$(cat "$trained_on" 2>/dev/null)" != "$data" ]; then
  echo "training on $data (a few minutes on 2 cores for the real quarter)"
  node trainer-job/bin/loanrisk-train.js --data "$data" --out models --termination-log .data/termination.json
  echo "$data" > "$trained_on"
fi
echo "model: models/$(cat models/current) (report: models/$(cat models/current)/report.html)"

pids=()
redis_dir=.data/redis
start_redis() {
  mkdir -p "$redis_dir"
  [ -s "$redis_dir/password" ] || od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$redis_dir/password"
  local port=${REDIS_PORT:-6390} password
  password=$(cat "$redis_dir/password")
  # The password goes in a config file, not on the command line where ps would show it.
  printf 'bind 127.0.0.1\nport %s\ndir %s\nrequirepass %s\nappendonly yes\nsave 60 1\nprotected-mode yes\n' \
    "$port" "$PWD/$redis_dir" "$password" > "$redis_dir/redis.conf"
  chmod 600 "$redis_dir/redis.conf" "$redis_dir/password"
  redis-server "$redis_dir/redis.conf" > "$redis_dir/redis.log" 2>&1 &
  pids+=("$!")
  REDIS_URL="redis://:${password}@127.0.0.1:${port}"
  for _ in $(seq 50); do
    REDISCLI_AUTH=$password redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "redis-server did not start on 127.0.0.1:$port; see $redis_dir/redis.log" >&2
  exit 1
}

# Ctrl-C (or SIGTERM): the API and the workers drain first, then Redis saves and stops.
stop_all() {
  trap - INT TERM EXIT
  [ -n "${api_pid:-}" ] && kill -TERM "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  [ -n "${worker_pid:-}" ] && kill -TERM "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  echo "stopped"
}
trap stop_all INT TERM EXIT

if [ -z "${REDIS_URL:-}" ]; then
  start_redis
  echo "redis: embedded on 127.0.0.1:${REDIS_PORT:-6390} (data in $redis_dir/)"
else
  echo "redis: $REDIS_URL as given (none started)"
fi
export REDIS_URL MODEL_DIR="${MODEL_DIR:-models}"
node workers/dist/src/main.js &
worker_pid=$!
node --no-memory-reducer api/dist/src/main.js &
api_pid=$!
echo "serving on http://${HOST:-127.0.0.1}:${PORT:-8080}/ (Ctrl-C stops the API, the workers and Redis)"
# Either process ending on its own ends the product: the other and Redis are stopped too.
wait -n "$api_pid" "$worker_pid" || true
