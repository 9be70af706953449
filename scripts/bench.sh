#!/usr/bin/env bash
# Runs the core benchmarks on this machine and prints the figures BENCHMARKS.md records:
#   1. loader: 1M generated events from the log into DuckDB, vs DuckDB's own read_json on the same events
#   2. collector alone (loader.enabled=false): max events/s with durable acks, 100-event batches
#   3. collector alone at 50,000 events/s: ack latency p50/p99
#   4. whole server (collector + loader) at max rate, load generator on the same machine
#   5. collector alone per API: the same events through the native, Segment, Amplitude, Mixpanel and PostHog endpoints
#   6. import of a generated 2M-event Amplitude export vs DuckDB read_json of the same events (bench-import)
# STEPS="2 5" runs only those steps.
# Servers bind 127.0.0.1 on a free port with a temp data dir, and are stopped when the script ends.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
EVENTS=${EVENTS:-1000000}
DURATION=${DURATION:-20}
STEPS=${STEPS:-1 2 3 5 6 4}
step() { [[ " $STEPS " == *" $1 "* ]]; }
./catchment --version >/dev/null   # builds the jar if needed
JAR=target/catchment.jar
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if step 1; then
echo "== 1. loader ($EVENTS events)"
java -Xmx1g -jar $JAR bench-loader --events "$EVENTS" --dedup both 2>/dev/null | grep -vE "^[0-9:.]+ (INFO|WARN)"
echo "== 1b. loader on mixed data ($EVENTS events: new fields over time, 1% type conflicts)"
java -Xmx1g -jar $JAR bench-loader --events "$EVENTS" --dedup on --mixed 2>/dev/null | grep -vE "^[0-9:.]+ (INFO|WARN)"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
serve() { # $1 = loader enabled
  port=$(free_port)
  rm -rf "$work/data"
  CATCHMENT_LOADER_ENABLED=$1 CATCHMENT_DATA_DIR="$work/data" CATCHMENT_PORT=$port CATCHMENT_HOST=127.0.0.1 \
    CATCHMENT_WRITE_KEYS=bench-write-key CATCHMENT_ADMIN_KEY=bench-admin-key \
    java -Xmx1g -jar $JAR serve > "$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.2; done
  echo "server did not start"; cat "$work/serve.log"; exit 1
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }
loadgen() { java -Xmx512m -XX:+UseParallelGC -jar $JAR loadgen --url "http://127.0.0.1:$port" --key bench-write-key --batch 100 \
  --concurrency 32 --duration "$DURATION" --warmup 10 "$@" | grep -v warming; }

if step 2; then
echo "== 2. collector alone, as fast as it goes"
serve false; loadgen; stop
fi
if step 3; then
echo "== 3. collector alone at 50,000 events/s"
serve false; loadgen --rate 50000; stop
fi
if step 5; then
echo "== 5. collector alone, per API (same events; ratio to native in the same run)"
# a fresh collector per API: with the loader off, the log would fill up across runs
for f in native segment amplitude mixpanel posthog native; do serve false; loadgen --format $f; stop; done
fi
if step 6; then
echo "== 6. import: generated Amplitude export (zip of gzipped NDJSON), 2M events"
java -Xmx1g -jar $JAR bench-import --events "${IMPORT_EVENTS:-2000000}" 2>/dev/null | grep -E "^(generated|DuckDB|RESULT|import)"
fi
step 4 || exit 0
echo "== 4. whole server (collector + loader), as fast as it goes"
serve true; loadgen
start=$(date +%s.%N)
until curl -s "http://127.0.0.1:$port/readyz" | grep -q '"loader_lag_records":0'; do sleep 0.2; done
echo "loader caught up $(echo "$(date +%s.%N) - $start" | bc) s after the load ended"
rss=$(ps -o rss= -p "$pid"); echo "server RSS at the end: $((rss / 1024)) MB (heap -Xmx1g)"
stop
