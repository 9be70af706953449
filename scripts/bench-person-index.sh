#!/bin/bash
# loader speed with and without duckdb.person_index: one log of 400,000 events (each its own id) loaded into a fresh
# store by `serve`, alternating index off/on, twice each
set -e
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; JAR=$(cd "$(dirname "$0")/.." && pwd)/target/catchment.jar; cd "$work"
fp() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
P=$(fp)
CATCHMENT_LOADER_ENABLED=false CATCHMENT_DATA_DIR=$work/seed CATCHMENT_PORT=$P CATCHMENT_HOST=127.0.0.1 CATCHMENT_WRITE_KEYS=bench-write-key CATCHMENT_ADMIN_KEY=bench-admin-key \
  java -Xmx1g -jar "$JAR" serve > seed.log 2>&1 &
pid=$!
for i in $(seq 100); do curl -sf http://127.0.0.1:$P/readyz >/dev/null && break; sleep 0.2; done
java -Xmx1g -jar "$JAR" loadgen --url http://127.0.0.1:$P --key bench-write-key --batch 100 --concurrency 32 --duration 600 --warmup 0 --pool 4000 --events 400000 | grep -v warming
kill $pid; wait $pid 2>/dev/null || true
for round in 1 2; do for idx in false true; do
  rm -rf run; mkdir run; cp -r seed/log run/log
  P=$(fp)
  CATCHMENT_DATA_DIR=$work/run CATCHMENT_PORT=$P CATCHMENT_HOST=127.0.0.1 CATCHMENT_WRITE_KEYS=bench-write-key CATCHMENT_ADMIN_KEY=bench-admin-key \
    CATCHMENT_DUCKDB_PERSON_INDEX=$idx java -Xmx1g -jar "$JAR" serve > run.log 2>&1 &
  pid=$!
  first=""; got=0
  while true; do
    got=$(curl -s http://127.0.0.1:$P/metrics 2>/dev/null | awk '/^catchment_events_loaded_total/ {printf "%d", $2}' || true); got=${got:-0}
    if [ -z "$first" ] && [ "$got" -gt 0 ]; then first=$(date +%s.%N); n0=$got; fi
    [ "$got" -ge 400000 ] && break
    sleep 0.1
  done
  secs=$(echo "$(date +%s.%N) - $first" | bc)
  echo "round $round index $idx: $((got - n0)) events in $secs s = $(echo "($got - $n0) / $secs" | bc) events/s"
  kill $pid; wait $pid 2>/dev/null || true
done; done
