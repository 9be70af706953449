#!/usr/bin/env bash
# The soak of issue 24 item 5: EVENTS events through the server (loadgen, every event its own id) at a steady RATE,
# in chunks of CHUNK events; after each chunk, while the next one is sent, a typical day's reports and SQL are timed
# through the HTTP API, and the server's loader lag, heap, RSS and disk bytes per stored event are recorded.
#
#   EVENTS=100000000 RATE=15000 ./scripts/soak.sh                      # DuckDB
#   STORE=clickhouse EVENTS=100000000 RATE=15000 ./scripts/soak.sh     # ClickHouse (Debian's clickhouse-server)
# HEAP (default 4g) is the server's -Xmx.
#
# Output: one line per chunk (also in target/soak-<store>-<date>.tsv): events sent, events stored, ack p50/p99 of the
# chunk, events/s acked, loader lag (log records), heap MB, RSS MB, bytes on disk per stored event, and each query's
# milliseconds. Compare the first and the last chunk: issue 24 wants nothing to degrade by more than 10%. At the end it
# waits for the loader to catch up and exits 1 when the store holds other than the acked events.
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=${STORE:-duckdb}
EVENTS=${EVENTS:-100000000}
CHUNK=${CHUNK:-10000000}
RATE=${RATE:-15000}
HEAP=${HEAP:-4g} # the server's; a third of it holds the duplicate check's per-day id sets (8 MB per million at most)
./catchment --version >/dev/null # builds the jar if needed
work=$(mktemp -d)
# a copy of the jar and its libraries: a build during the hours of a soak must not change the running server's classes
mkdir -p "$work/app" && cp target/catchment.jar "$work/app/" && cp -r target/lib "$work/app/"
JAR=$work/app/catchment.jar
pid=""
chpid=""
lgpid=""
cleanup() {
  for p in $lgpid $pid $chpid; do { kill "$p" && wait "$p"; } 2>/dev/null || true; done
  rm -rf "$work"
  true
}
trap cleanup EXIT
source scripts/lib.sh # the working directory is the repository (cd above)

store_env=()
if [ "$STORE" = clickhouse ]; then
  [ -x /usr/sbin/clickhouse-server ] || { echo "needs Debian's clickhouse-server: run ./test.sh once"; exit 1; }
  start_clickhouse
  store_env=(CATCHMENT_STORE_TYPE=clickhouse CATCHMENT_CLICKHOUSE_URL=http://127.0.0.1:$chport)
fi

port=$(free_port)
data="$work/data"
env CATCHMENT_DATA_DIR="$data" CATCHMENT_PORT=$port CATCHMENT_HOST=127.0.0.1 CATCHMENT_WRITE_KEYS=soak-write-key \
  CATCHMENT_ADMIN_KEY=soak-admin-key "${store_env[@]}" java -Xmx$HEAP -jar $JAR serve > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
base="http://127.0.0.1:$port"
auth=(-H "Authorization: Bearer soak-admin-key" -H "Content-Type: application/json")

# the generated events are dated from 2023-11-14 on (37 ms apart per sender)
range='"from":"2023-11-01","to":"2024-01-31"'
queries=(
  "dau|/v1/analytics/trends|{\"series\":[{\"type\":\"any\",\"measure\":\"dau\"}],$range}"
  "uniques_by_plan|/v1/analytics/trends|{\"series\":[{\"event\":\"Product Viewed\",\"measure\":\"uniques\"}],\"breakdown\":{\"property\":\"plan\"},$range}"
  "funnel|/v1/analytics/funnels|{\"steps\":[{\"event\":\"Product Viewed\"},{\"event\":\"Product Added\"}],\"window\":\"1d\",$range}"
  "retention|/v1/analytics/retention|{\"start\":{\"event\":\"Page Viewed\"},\"return\":{\"event\":\"Product Viewed\"},\"interval\":\"day\",\"periods\":7,$range}"
  "person|/v1/analytics/users/user-42/events?limit=100|"
  "tail|/v1/analytics/events/live|{\"limit\":50}"
  "sql_top_events|/v1/query|{\"sql\":\"SELECT event, count(*) FROM events GROUP BY event ORDER BY 2 DESC LIMIT 10\"}"
)
timed() { # name|path|body: milliseconds, or "err<status>"
  local path body code t
  path=$(cut -d'|' -f2 <<<"$1"); body=$(cut -d'|' -f3- <<<"$1")
  if [ -z "$body" ]; then
    read -r code t < <(curl -s -o /dev/null -w "%{http_code} %{time_total}" "${auth[@]}" "$base$path")
  else
    read -r code t < <(curl -s -o /dev/null -w "%{http_code} %{time_total}" "${auth[@]}" -d "$body" "$base$path")
  fi
  [ "$code" = 200 ] && awk -v t="$t" 'BEGIN {printf "%.0f", t * 1000}' || echo "err$code"
}
metric() { curl -s "$base/metrics" | awk -v m="$1" 'index($0, m) == 1 {s += $NF} END {printf "%.0f", s / 1048576}'; }
stored() {
  curl -s "${auth[@]}" -d '{"sql":"SELECT count(*) FROM events"}' "$base/v1/query" \
    | python3 -c 'import json,sys; d = json.load(sys.stdin); print(d["rows"][0][0] if "rows" in d else 0)'
}
lag() { curl -s "$base/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("loader_lag_records", "-"))'; }
send() { # one chunk of $1 events, at RATE; output in $work/lg-$2.log
  java -Xmx512m -XX:+UseParallelGC -jar $JAR loadgen --url "$base" --key soak-write-key --batch 100 --concurrency 32 \
    --unique --seed "$2" --rate "$RATE" --events "$1" --duration $(( $1 / RATE * 3 + 60 )) --warmup 0 \
    > "$work/lg-$2.log" 2>&1 &
  lgpid=$!
}

mkdir -p target
out="target/soak-$STORE-$(date -u +%Y%m%dT%H%M).tsv"
names=$(for q in "${queries[@]}"; do printf '\t%s_ms' "${q%%|*}"; done)
printf 'sent\tstored\tack_p50_ms\tack_p99_ms\tacked_per_s\tlag_records\theap_mb\trss_mb\tdisk_bytes_per_event%s\n' \
  "$names" | tee "$out"
echo "# $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); store $STORE; rate $RATE/s" >&2
chunks=$(( (EVENTS + CHUNK - 1) / CHUNK ))
send "$CHUNK" 1
for c in $(seq 1 "$chunks"); do
  wait "$lgpid" || true
  done_log="$work/lg-$c.log"
  [ "$c" -lt "$chunks" ] && send "$CHUNK" $(( c + 1 )) # the next chunk runs while this one is measured
  p50=$(sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' "$done_log"); p99=$(sed -n 's/.*p99 \([0-9.]*\) ms.*/\1/p' "$done_log")
  rate=$(sed -n 's/.* = \([0-9]*\) events\/s.*/\1/p' "$done_log")
  row="$(( c * CHUNK ))\t$(stored)\t${p50:--}\t${p99:--}\t${rate:--}\t$(lag)\t$(metric 'jvm_memory_used_bytes{area="heap"')"
  rss=$(( $(ps -o rss= -p "$pid") / 1024 ))
  if [ "$STORE" = clickhouse ]; then # ClickHouse's own count: du races its merges (parts vanish while it walks them)
    disk=$(curl -s "http://127.0.0.1:$chport/" --data-binary \
      "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'catchment'")
  else disk=$(du -sb "$data" | cut -f1); fi
  n=$(stored)
  row="$row\t$rss\t$(( disk / (n > 0 ? n : 1) ))"
  for q in "${queries[@]}"; do row="$row\t$(timed "$q")"; done
  printf "$row\n" | tee -a "$out"
done
# the end: every acked event must be stored once the loader has caught up (every event has its own id)
acked=$(cat "$work"/lg-*.log | sed -n 's/.*: \([0-9]*\) events acked.*/\1/p' | awk '{s += $1} END {print s + 0}')
for _ in $(seq 900); do [ "$(lag)" = 0 ] && break; sleep 1; done
final=$(stored)
echo "acked $acked, stored $final after the loader caught up (lag $(lag))" | tee -a "$out" >&2
mismatch=0
[ "$final" = "$acked" ] || { echo "MISMATCH: acked $acked, stored $final" >&2; mismatch=1; }
grep -E "ERROR|Exception" "$work/serve.log" | head -5 >&2 || true
echo "results: $out" >&2
exit $mismatch # 1: an acked event is not in the store
