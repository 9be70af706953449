#!/usr/bin/env bash
# Reports through the server while events arrive (issue 21): a 10M-event store made by bench-query (kept in STORE_DIR,
# made once), copied, served with the loader on; loadgen sends RATE events/s (every event its own id, dated now, so
# that today's buckets change under the reports) for DURATION
# while the 90-day DAU and a person's page are asked every 2 s (duckdb.person_index on unless PERSON_INDEX=false). Printed: each answer's time and status, then the
# medians after the first ask; CACHE=0 asks without the bucket cache (analytics.cache_series).
#
#   ./scripts/bench-live-reports.sh                      # STORE_DIR=/tmp/catchment-10m RATE=2000 DURATION=40
set -euo pipefail
cd "$(dirname "$0")/.."
STORE_DIR=${STORE_DIR:-/tmp/catchment-10m}
RATE=${RATE:-2000}
DURATION=${DURATION:-40}
CACHE=${CACHE:-256}
./catchment --version >/dev/null # builds the jar if needed
JAR=target/catchment.jar
source scripts/lib.sh
if [ ! -f "$STORE_DIR/catchment.duckdb" ]; then
  echo "making the 10M-event store in $STORE_DIR (a few minutes)"
  java -Xmx1g -jar $JAR bench-query --events 10000000 --runs 1 --work-dir "$STORE_DIR" > /dev/null 2>&1
fi
work=$(mktemp -d)
pid=""
lgpid=""
cleanup() {
  for p in $lgpid $pid; do { kill "$p" && wait "$p"; } 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cp -r "$STORE_DIR" "$work/data"
port=$(free_port)
env CATCHMENT_DATA_DIR="$work/data" CATCHMENT_PORT=$port CATCHMENT_HOST=127.0.0.1 CATCHMENT_WRITE_KEYS=live-write-key \
  CATCHMENT_ADMIN_KEY=live-admin-key CATCHMENT_ANALYTICS_CACHE_SERIES=$CACHE CATCHMENT_DUCKDB_PERSON_INDEX=${PERSON_INDEX:-true} java -Xmx1g -jar $JAR serve \
  > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1200); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
to=$(date -u +%F); from=$(date -u -d "$to - 89 days" +%F)
dau="{\"series\":[{\"type\":\"any\",\"measure\":\"dau\"}],\"from\":\"$from\",\"to\":\"$to\"}"
ask() { curl -s -o /dev/null -w "%{time_total} %{http_code}" -H "Authorization: Bearer live-admin-key" "$@"; }
java -Xmx512m -jar $JAR loadgen --url "$base" --key live-write-key --unique --now --rate "$RATE" --duration "$DURATION" \
  --warmup 0 > "$work/loadgen.log" 2>&1 &
lgpid=$!
: > "$work/dau"; : > "$work/page"
end=$(( $(date +%s) + DURATION - 2 ))
while [ "$(date +%s)" -lt "$end" ]; do
  ask -H "Content-Type: application/json" -d "$dau" "$base/v1/analytics/trends" >> "$work/dau"; echo >> "$work/dau"
  ask "$base/v1/analytics/users/user_$((RANDOM % 100000))/events?limit=100" >> "$work/page"; echo >> "$work/page"
  sleep 2
done
wait "$lgpid" || true
lgpid=""
med() { tail -n +2 "$1" | awk '{print $1}' | sort -n | awk '{a[NR]=$1} END {if (NR) printf "%.0f ms (%d asks)", a[int((NR+1)/2)]*1000, NR}'; }
echo "DAU, 90 days:       $(tr '\n' ' ' < "$work/dau")"
echo "person's page:      $(tr '\n' ' ' < "$work/page")"
echo "medians after the first ask: DAU $(med "$work/dau"), page $(med "$work/page"); cache_series=$CACHE"
tail -2 "$work/loadgen.log"
echo "store errors: $(grep -c 'ERROR' "$work/serve.log" || true); load $(cut -d' ' -f1-3 /proc/loadavg)"
