#!/usr/bin/env bash
# Runs the core benchmarks on this machine and prints the figures BENCHMARKS.md records:
#   1. loader: 1M generated events from the log into DuckDB, vs DuckDB's own read_json on the same events
#   2. collector alone (loader.enabled=false): max events/s with durable acks, 100-event batches
#   3. collector alone at 50,000 events/s: ack latency p50/p99
#   4. whole server (collector + loader) at max rate, load generator on the same machine
#   5. collector alone per API: the same events through the native, Segment, Amplitude, Mixpanel and PostHog endpoints
#   6. import of a generated 2M-event Amplitude export vs DuckDB read_json of the same events (bench-import)
#   7. scale-out (not in the default STEPS; needs Debian's clickhouse-server, which ./test.sh installs): the loader
#      into ClickHouse vs ClickHouse's own JSONEachRow of the same rows, bytes on disk per event, and the collector
#      on a Kafka log vs the local log. ClickHouse and a Kafka broker are started here on free loopback ports.
#   8. SQS log (not in the default STEPS): the collector on an SQS queue (ElasticMQ, started here) vs the local log,
#      events/s and ack p99 at 100-event requests; then the loader alone from each log into DuckDB in turn, ROUNDS
#      (3) times on LOADER_EVENTS (1M) unique events: events/s over all of them (the figure) and over the second half
#      (after the JIT's warm-up, but from SQS with most of the receiving done ahead), the CPU time the server (and
#      ElasticMQ) spent per 1,000 events, each round's ratio and the median.
#   9. several loaders (not in the default STEPS; needs clickhouse-server): one Kafka topic (12 partitions) filled by the
#      collector, then loaded into ClickHouse by 1, 2 and 4 loader processes in turn (each run its own database and
#      consumer group, so each reads the whole topic): events/s, and the CPU of the loaders and of ClickHouse per 1,000
#      events, from which the scaling on N machines follows (BENCHMARKS.md, issue 24).
#  10. (not in the default STEPS) the whole server (collector + loader) on SQS (ElasticMQ) and on the local log in
#      turn, ROUNDS (2) times, at RATE (15000) events/s of unique events: events loaded per second over 20 s in the
#      stride, and the CPU the server (and ElasticMQ) spent per 1,000 events: the steady-state cost of each log.
# STEPS="2 5" runs only those steps. JFR=DIR records a Java flight recording of each timed loader (step 8),
# DIR/loader-1.jfr, -2…, for `jfr print --events jdk.ExecutionSample` or JDK Mission Control.
# Servers bind 127.0.0.1 on a free port with a temp data dir, and are stopped when the script ends.
set -euo pipefail
[ -n "${JFR:-}" ] && { mkdir -p "$JFR"; JFR=$(cd "$JFR" && pwd); }
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export LC_ALL=C # printf's decimal point
EVENTS=${EVENTS:-1000000}
DURATION=${DURATION:-20}
STEPS=${STEPS:-1 2 3 5 6 4}
step() { [[ " $STEPS " == *" $1 "* ]]; }
./catchment --version >/dev/null   # builds the jar if needed
JAR=target/catchment.jar
work=$(mktemp -d)
pid=""
chpid=""
kpid=""
mqpid=""
lpids=""
jfr_n=0
cleanup() {
  # under set -e, a wait that reports the killed process would end the trap before the next one: "|| true"
  for p in $pid $lpids $chpid $kpid $mqpid; do { kill "$p" && wait "$p"; } 2>/dev/null || true; done
  rm -rf "$work"
  true
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if step 1; then
echo "== 1. loader ($EVENTS events)"
java -Xmx1g -jar $JAR bench-loader --events "$EVENTS" --dedup both 2>/dev/null | grep -vE "^[0-9:.]+ (INFO|WARN)"
echo "== 1b. loader on mixed data ($EVENTS events: new fields over time, 1% type conflicts); a warm-up run first (cold figure), then the measured one"
java -Xmx1g -jar $JAR bench-loader --events "$EVENTS" --dedup on --mixed --warmup 1 2>/dev/null | grep -vE "^[0-9:.]+ (INFO|WARN)"
fi

source scripts/lib.sh # the working directory is the repository (cd above)
serve() { # $1 = loader enabled; then extra VAR=value settings
  local loader=$1; shift
  port=$(free_port)
  rm -rf "$work/data"
  env CATCHMENT_LOADER_ENABLED="$loader" CATCHMENT_DATA_DIR="$work/data" CATCHMENT_PORT=$port CATCHMENT_HOST=127.0.0.1 \
    CATCHMENT_WRITE_KEYS=bench-write-key CATCHMENT_ADMIN_KEY=bench-admin-key "$@" \
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
start_kafka() { # a single-node KRaft broker from Maven Central's jars (tools/kafka/pom.xml), as the tests run it
  local d="$work/kafka"
  mkdir -p "$d"
  [ -f target/kafka.classpath ] || \
    mvn -B -q -f tools/kafka/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/target/kafka.classpath"
  kport=$(free_port); local ctl; ctl=$(free_port)
  cat > "$d/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$ctl
listeners=PLAINTEXT://127.0.0.1:$kport,CONTROLLER://127.0.0.1:$ctl
advertised.listeners=PLAINTEXT://127.0.0.1:$kport,CONTROLLER://127.0.0.1:$ctl
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$d/data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  local cp; cp=$(cat target/kafka.classpath)
  java -cp "$cp" kafka.tools.StorageTool format --standalone -c "$d/server.properties" \
    -t "$(python3 -c 'import base64,os
while True:
    i = base64.urlsafe_b64encode(os.urandom(16)).decode().rstrip("=")
    if not i.startswith("-"): print(i); break')" \
    > "$d/format.log" 2>&1
  java -Xmx512m -cp "$cp" kafka.Kafka "$d/server.properties" > "$d/broker.log" 2>&1 &
  kpid=$!
  for _ in $(seq 300); do (echo > "/dev/tcp/127.0.0.1/$kport") 2>/dev/null && return; sleep 0.2; done
  echo "kafka did not start"; cat "$d/broker.log"; exit 1
}
if step 7; then
echo "== 7. scale-out: ClickHouse and Kafka on this machine"
[ -x /usr/sbin/clickhouse-server ] || { echo "step 7 needs Debian's clickhouse-server: run ./test.sh once"; exit 1; }
start_clickhouse
echo "-- loader into ClickHouse ($EVENTS events) vs ClickHouse's own JSONEachRow of the same rows"
java -Xmx1g -jar $JAR bench-loader --events "$EVENTS" --dedup on --warmup 1 --clickhouse "http://127.0.0.1:$chport" \
  --clickhouse-pid "$chpid" 2>/dev/null \
  | grep -vE "^[0-9:.]+ (INFO|WARN)"
start_kafka
kafka_env=(CATCHMENT_LOG_TYPE=kafka CATCHMENT_STORE_TYPE=clickhouse CATCHMENT_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kport
  CATCHMENT_CLICKHOUSE_URL=http://127.0.0.1:$chport)
echo "-- collector alone on the Kafka log (acks=all), then on the local log, same load"
serve false "${kafka_env[@]}"; loadgen
# every event the collector accepted, warm-up included, is on the topic
acked=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^catchment_events_accepted_total/ {printf "%d", $2}')
stop
# the segments' .log files only: Kafka preallocates 10 MB index files per partition
topic_bytes=$(cat "$work"/kafka/data/catchment.events-*/*.log | wc -c)
echo "RESULT Kafka topic on disk (lz4, replication 1): $topic_bytes bytes for $acked events = $((topic_bytes / acked)) bytes/event"
serve false; loadgen; stop
fi
start_elasticmq() { # ElasticMQ from Maven Central's jars (tools/elasticmq/pom.xml), as the tests run it; sets sqs_env
  local d="$work/elasticmq"
  mkdir -p "$d"
  [ -f target/elasticmq.classpath ] || \
    mvn -B -q -f tools/elasticmq/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/target/elasticmq.classpath"
  mqport=$(free_port)
  cat > "$d/elasticmq.conf" <<EOF
include classpath("application.conf")
pekko.loglevel = "WARNING"
node-address { protocol = http, host = "127.0.0.1", port = $mqport, context-path = "" }
rest-sqs { enabled = true, bind-port = $mqport, bind-hostname = "127.0.0.1", sqs-limits = strict }
rest-stats { enabled = false }
EOF
  java -Xmx1g -Dconfig.file="$d/elasticmq.conf" -cp "$(cat target/elasticmq.classpath)" org.elasticmq.server.Main \
    > "$d/elasticmq.log" 2>&1 &
  mqpid=$!
  sqs_env=(CATCHMENT_LOG_TYPE=sqs CATCHMENT_SQS_ENDPOINT=http://127.0.0.1:$mqport CATCHMENT_SQS_REGION=us-east-1
    AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench)
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$mqport) 2>/dev/null && return; sleep 0.2; done
  echo "elasticmq did not start"; cat "$d/elasticmq.log"; exit 1
}
# CPU time (user + system) of a process in clock ticks, 0 when there is none
cpu_ticks() { [ -n "$1" ] && awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# the server on the data dir of the previous run (no wipe): the loader alone, timed from its first loaded event to the
# last, and over the second half of the events (after the JIT's warm-up; from SQS the receivers run ahead, so by then
# they have taken most of the queue and the second half leaves most of the receiving out); sets load_all, load_steady
load_timed() { # $1 = events to wait for; then extra VAR=value settings
  local want=$1; shift
  port=$(free_port); jfr_n=$((jfr_n + 1))
  env CATCHMENT_LOADER_ENABLED=true CATCHMENT_DATA_DIR="$work/data" CATCHMENT_PORT=$port CATCHMENT_HOST=127.0.0.1 \
    CATCHMENT_WRITE_KEYS=bench-write-key CATCHMENT_ADMIN_KEY=bench-admin-key "$@" \
    java -Xmx1g ${JFR:+-XX:StartFlightRecording=settings=profile,filename=$JFR/loader-$jfr_n.jfr} \
    -jar $JAR serve > "$work/serve.log" 2>&1 &
  pid=$!
  local first="" half="" first_n=0 half_n=0 loaded=0 c0 m0 c1 m1
  while true; do
    loaded=$(curl -s "http://127.0.0.1:$port/metrics" 2>/dev/null | awk '/^catchment_events_loaded_total/ {printf "%d", $2}' || true)
    loaded=${loaded:-0} # empty until the server listens
    if [ -z "$first" ] && [ "$loaded" -gt 0 ]; then
      first=$(date +%s.%N); first_n=$loaded; c0=$(cpu_ticks "$pid"); m0=$(cpu_ticks "$mqpid")
    fi
    if [ -z "$half" ] && [ "$loaded" -ge $((want / 2)) ]; then
      half=$(date +%s.%N); half_n=$loaded; c1=$(cpu_ticks "$pid"); m1=$(cpu_ticks "$mqpid")
    fi
    [ "$loaded" -ge "$want" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "server died"; cat "$work/serve.log"; exit 1; }
    sleep 0.05
  done
  if [ "$loaded" -le "$half_n" ] || [ "$loaded" -le "$first_n" ]; then
    echo "the loader loaded all $want events in one batch: time more events than loader.batch_events"; exit 1
  fi
  local end; end=$(date +%s.%N)
  local c2 m2; c2=$(cpu_ticks "$pid"); m2=$(cpu_ticks "$mqpid")
  load_all=$(echo "($loaded - $first_n) / ($end - $first)" | bc)
  load_steady=$(echo "($loaded - $half_n) / ($end - $half)" | bc)
  echo "RESULT loader: $((loaded - first_n)) events in $(echo "$end - $first" | bc) s = $load_all events/s; second half: $load_steady events/s"
  echo "  CPU per 1000 events loaded, all / second half: server $(( (c2 - c0) * 10000 / (loaded - first_n) )) / $(( (c2 - c1) * 10000 / (loaded - half_n) )) ms, ElasticMQ $(( (m2 - m0) * 10000 / (loaded - first_n) )) / $(( (m2 - m1) * 10000 / (loaded - half_n) )) ms (ticks of 10 ms)"
  curl -s "http://127.0.0.1:$port/metrics" | awk '/^catchment_rows_duplicate_total\{table="(\(batch\)|events)"/ {
    printf "  duplicates skipped: %s %d\n", $1, $2 }'
  echo "  loaded in all: $loaded events (accepted: $want)"
  curl -s -H 'Authorization: Bearer bench-admin-key' "http://127.0.0.1:$port/v1/status" \
    | python3 -c 'import json,sys; l=json.load(sys.stdin)["loader"]; print("  " + ", ".join(f"{k} {v}" for k, v in l.items() if k.startswith("sqs_")))'
  stop
}
accepted() { curl -s "http://127.0.0.1:$port/metrics" | awk '/^catchment_events_accepted_total/ {printf "%d", $2}'; }
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
if step 8; then
echo "== 8. SQS log (ElasticMQ on this machine) beside the local log, same load"
start_elasticmq
echo "-- collector alone on SQS"
serve false "${sqs_env[@]}" CATCHMENT_SQS_QUEUE=bench-collector; loadgen; stop
echo "-- collector alone on the local log"
serve false; loadgen; stop
# The loader from each log in turn, ROUNDS times, on LOADER_EVENTS events generated alike (each its own id, as real
# events: the collector runs above repeat a pool of 25,600), sent at full speed without timing: on a shared machine a
# neighbour's work hits one run and not the next, so each round's ratio and the median of the rounds are printed
rounds=${ROUNDS:-3}
m=${LOADER_EVENTS:-1000000}
all_ratios=""; steady_ratios=""
for r in $(seq "$rounds"); do
  for log in sqs local; do
    if [ $log = sqs ]; then envs=("${sqs_env[@]}" CATCHMENT_SQS_QUEUE=bench-round-$r); else envs=(); fi
    serve false "${envs[@]}"
    java -Xmx512m -jar $JAR loadgen --url "http://127.0.0.1:$port" --key bench-write-key --batch 100 --concurrency 32 \
      --duration 600 --warmup 0 --unique --seed "$r" --events "$m" > /dev/null
    n=$(accepted); stop
    echo "-- round $r: loader from the $log log into DuckDB ($n events)"
    load_timed "$n" "${envs[@]}"
    if [ $log = sqs ]; then sqs_all=$load_all; sqs_steady=$load_steady; fi
  done
  all_ratios+=" $(printf %.2f "$(echo "scale=4; $sqs_all / $load_all" | bc)")"
  steady_ratios+=" $(printf %.2f "$(echo "scale=4; $sqs_steady / $load_steady" | bc)")"
  echo "RESULT round $r: loader from SQS / from the local log: $(echo "$all_ratios" | awk '{print $NF}') (all events), $(echo "$steady_ratios" | awk '{print $NF}') (second half)"
done
echo "RESULT loader from SQS / from the local log, $rounds rounds: all events$all_ratios, median $(echo $all_ratios | median); second half$steady_ratios, median $(echo $steady_ratios | median)"
fi
if step 9; then
echo "== 9. several loader processes on one Kafka topic into ClickHouse"
[ -x /usr/sbin/clickhouse-server ] || { echo "step 9 needs Debian's clickhouse-server: run ./test.sh once"; exit 1; }
[ -n "$chpid" ] || start_clickhouse
[ -n "$kpid" ] || start_kafka
topic=bench.loaders
k9=(CATCHMENT_LOG_TYPE=kafka CATCHMENT_STORE_TYPE=clickhouse CATCHMENT_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kport
  CATCHMENT_CLICKHOUSE_URL=http://127.0.0.1:$chport CATCHMENT_KAFKA_TOPIC=$topic CATCHMENT_KAFKA_PARTITIONS=12)
# every event its own id: as many events as the pool of request bodies holds (4,000 requests of 100 events)
serve false "${k9[@]}"
java -Xmx1g -jar $JAR loadgen --url "http://127.0.0.1:$port" --key bench-write-key --batch 100 --concurrency 32 \
  --duration 600 --warmup 0 --pool "${POOL:-4000}" --events $((${POOL:-4000} * 100)) | grep -v warming
n=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^catchment_events_accepted_total/ {printf "%d", $2}'); stop
echo "-- $n events on topic $topic (12 partitions), each its own id"
chq() { curl -s "http://127.0.0.1:$chport/" --data-binary "$1"; }
for procs in ${LOADERS:-1 2 4}; do
  db=loaders_$procs
  lpids=""; lports=""
  for i in $(seq "$procs"); do
    p=$(free_port); lports="$lports $p"
    env CATCHMENT_DATA_DIR="$work/loader-$procs-$i" CATCHMENT_PORT=$p CATCHMENT_HOST=127.0.0.1 \
      CATCHMENT_WRITE_KEYS=bench-write-key CATCHMENT_ADMIN_KEY=bench-admin-key "${k9[@]}" \
      CATCHMENT_CLICKHOUSE_DATABASE=$db CATCHMENT_KAFKA_GROUP=$db \
      java -Xmx1g -jar $JAR serve > "$work/loader-$procs-$i.log" 2>&1 &
    lpids="$lpids $!"
  done
  first=""; c0=0; h0=0; last_got=""; last_move=$SECONDS
  while true; do
    got=0 # events loaded by the processes (loadgen's ids repeat after --pool requests: the duplicates count too)
    for lp in $lports; do
      m=$(curl -s "http://127.0.0.1:$lp/metrics" 2>/dev/null | awk '/^catchment_events_loaded_total/ {printf "%d", $2}' || true)
      got=$((got + ${m:-0}))
    done
    if [ -z "$first" ] && [ "$got" -gt 0 ]; then
      first=$(date +%s.%N); first_n=$got; h0=$(cpu_ticks "$chpid"); c0=0
      for l in $lpids; do c0=$((c0 + $(cpu_ticks "$l"))); done
    fi
    [ "$got" -ge "$n" ] && break
    if [ "$got" != "${last_got:-}" ]; then last_got=$got; last_move=$SECONDS; fi
    if [ $((SECONDS - ${last_move:-$SECONDS})) -gt ${STALL_SECONDS:-120} ]; then
      echo "no progress for 120 s at $got of $n rows"; tail -30 "$work"/loader-$procs-*.log
      [ -n "${JSTACK_ON_STALL:-}" ] && for l in $lpids; do jstack "$l" > "/tmp/stall-$l.txt"; done; exit 1
    fi
    sleep 0.1
  done
  secs=$(echo "$(date +%s.%N) - $first" | bc)
  c1=0; for l in $lpids; do c1=$((c1 + $(cpu_ticks "$l"))); done; h1=$(cpu_ticks "$chpid")
  done_n=$((got - first_n))
  echo "RESULT $procs loader process(es): $done_n events in $secs s = $(echo "$done_n / $secs" | bc) events/s;" \
    "CPU per 1000 events: loaders $(( (c1 - c0) * 10000 / done_n )) ms, ClickHouse $(( (h1 - h0) * 10000 / done_n )) ms"
  echo "  rows $(chq "SELECT count() FROM $db.events"), distinct ids $(chq "SELECT uniqExact(id) FROM $db.events")" \
    "(accepted $n)"
  for l in $lpids; do { kill "$l" && wait "$l"; } 2>/dev/null || true; done
  lpids=""
done
fi
if step 10; then
echo "== 10. whole server (collector + loader in one process) on SQS and on the local log, at ${RATE:-15000} events/s"
[ -n "$mqpid" ] || start_elasticmq
for r in $(seq "${ROUNDS:-2}"); do
  for log in sqs local; do
    if [ $log = sqs ]; then envs=("${sqs_env[@]}" CATCHMENT_SQS_QUEUE=bench-steady-$r); else envs=(); fi
    serve true "${envs[@]}"
    java -Xmx512m -jar $JAR loadgen --url "http://127.0.0.1:$port" --key bench-write-key --batch 100 --concurrency 32 \
      --rate "${RATE:-15000}" --duration 30 --warmup 10 --unique --seed "$r" > "$work/loadgen.out" &
    lg=$!
    sleep 15 # the warm-up and 5 s more: then 20 s with both the collector and the loader in their stride
    loaded0=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^catchment_events_loaded_total/ {printf "%d", $2}')
    c0=$(cpu_ticks "$pid"); m0=$(cpu_ticks "$mqpid"); t0=$(date +%s.%N)
    sleep 20
    loaded1=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^catchment_events_loaded_total/ {printf "%d", $2}')
    c1=$(cpu_ticks "$pid"); m1=$(cpu_ticks "$mqpid"); t1=$(date +%s.%N)
    wait $lg
    curl -s "http://127.0.0.1:$port/metrics" | awk '/^catchment_loader_batch_events_(count|sum)/ { v[$1] = $2 }
      END { printf "  loader batches: %d, %d events on average\n", v["catchment_loader_batch_events_count"],
        v["catchment_loader_batch_events_sum"] / v["catchment_loader_batch_events_count"] }'
    [ $log = sqs ] && curl -s -H 'Authorization: Bearer bench-admin-key' "http://127.0.0.1:$port/v1/status" \
      | python3 -c 'import json,sys; l=json.load(sys.stdin)["loader"]; print("  " + ", ".join(f"{k} {v}" for k, v in l.items() if k in ("sqs_messages_received", "sqs_messages_waiting", "sqs_messages_in_hand")))'
    mq=""; [ $log = sqs ] && mq=", ElasticMQ $(( (m1 - m0) * 10000 / (loaded1 - loaded0) )) ms"
    echo "RESULT round $r, $log log: loaded $(echo "($loaded1 - $loaded0) / ($t1 - $t0)" | bc) events/s over 20 s;" \
      "CPU per 1000 events loaded: server (collector and loader) $(( (c1 - c0) * 10000 / (loaded1 - loaded0) )) ms$mq;" \
      "$(grep -E '^loadgen' "$work/loadgen.out" | sed 's/.*= //'); $(grep -E '^ack latency' "$work/loadgen.out")"
    stop
  done
done
fi
step 4 || exit 0
echo "== 4. whole server (collector + loader), as fast as it goes"
serve true; loadgen
start=$(date +%s.%N)
until curl -s "http://127.0.0.1:$port/readyz" | grep -q '"loader_lag_records":0'; do sleep 0.2; done
echo "loader caught up $(echo "$(date +%s.%N) - $start" | bc) s after the load ended"
rss=$(ps -o rss= -p "$pid"); echo "server RSS at the end: $((rss / 1024)) MB (heap -Xmx1g)"
stop
