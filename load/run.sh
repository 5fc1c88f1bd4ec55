#!/usr/bin/env bash
# `make load`: 60 s of mixed traffic (dashboard callbacks, API reads, batch ingestion) against
# gunicorn with 2 workers on the 1,000,000-order bench data; prints requests per second and
# p50/p95/p99 per kind, and fails on any error.
#
#   make load                                   # SQLite: a copy of bench/data/shop-1m.sqlite
#   LOAD_DATABASE_URL=postgresql://… make load  # PostgreSQL: seeded with the bench shop if empty
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SECONDS_TO_RUN=${LOAD_SECONDS:-60}
USERS=${LOAD_USERS:-24}
PORT=${LOAD_PORT:-8071}
work=$(mktemp -d)
server_pid=""
scheduler_pid=""
cleanup() {
  [ -n "$scheduler_pid" ] && kill "$scheduler_pid" 2>/dev/null && wait "$scheduler_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

export SECRET_KEY=load-test INSTANCE_PATH="$work" SHOP_TIMEZONE=UTC
export API_RATE_LIMIT="1000000 per minute" LOGIN_RATE_LIMIT="1000 per minute"
export LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute" LOG_LEVEL=WARNING
if [ -n "${LOAD_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$LOAD_DATABASE_URL"
  $BIN/flask db upgrade
  if [ "$($BIN/python -m load.count_orders)" -lt 1000000 ]; then
    echo "Seeding the bench shop into PostgreSQL (1,000,000 orders)…"
    $BIN/flask demo seed --orders 1000000 --customers 100000 --days 730 --seed 1 \
      --end-date 2026-10-31 --reset
  fi
  label="PostgreSQL"
else
  [ -f bench/data/shop-1m.sqlite ] || $BIN/python -m bench --build-only
  cp bench/data/shop-1m.sqlite "$work/load.sqlite"
  export DATABASE_URL="sqlite:///$work/load.sqlite"
  $BIN/flask db upgrade
  label="SQLite"
fi

export LOAD_EMAIL="load-$$@shop.test" LOAD_PASSWORD="load-test-password-$$"
$BIN/flask users create "$LOAD_EMAIL" --role manager --password "$LOAD_PASSWORD" >/dev/null
LOAD_READ_TOKEN=$($BIN/flask tokens create --name "load read $$" --scope read | tail -1)
LOAD_WRITE_TOKEN=$($BIN/flask tokens create --name "load write $$" --scope write | tail -1)
export LOAD_READ_TOKEN LOAD_WRITE_TOKEN

WEB_CONCURRENCY=2 $BIN/gunicorn -c gunicorn.conf.py --bind "127.0.0.1:$PORT" wsgi:app \
  >"$work/gunicorn.log" 2>&1 &
server_pid=$!
# The refresher, as production runs it: the scheduler process (the nightly job left out here).
NIGHTLY_AT=off $BIN/python scheduler.py >"$work/scheduler.log" 2>&1 &
scheduler_pid=$!
for _ in $(seq 60); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 0.5
done
$BIN/python -m load.idle "http://127.0.0.1:$PORT" "$work/idle.json"

echo "Load: $USERS users for ${SECONDS_TO_RUN} s against gunicorn (2 workers) on $label…"
$BIN/locust -f load/locustfile.py --headless -u "$USERS" -r 12 -t "${SECONDS_TO_RUN}s" \
  --host "http://127.0.0.1:$PORT" --csv "$work/stats" --only-summary --loglevel WARNING \
  >"$work/locust.log" 2>&1 || true
$BIN/python -m load.report "$work/stats_stats.csv" "$label" "$work/idle.json"
