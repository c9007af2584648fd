#!/usr/bin/env bash
# The write side's DurableQueue against db-scheduler 16.7.1 (docs/PERFORMANCE.md, "Durable queue: DurableQueue
# against db-scheduler"): builds the bench jar, creates a scratch PostgreSQL database, runs
# com.catalytic.bench.QueueComparison on it (drain and steady phases, http and noop work, the contenders in turns)
# and drops the database on any exit. Run it under the benchmarks' lock:
#   flock /tmp/catalytic-bench.lock bench/queue/queue-comparison.sh
#
# Settings (environment): BACKLOG=20000 (drain) HISTORY=20000 (done deliveries in the table, steady) WARMUP=2000
# RATES=100,300 (empty: drains only) DURATION=20 (seconds per steady phase) ROUNDS=2 WORKERS=8 INTERVAL_MS=1000
# CONTENDERS=durable-queue,db-scheduler,db-scheduler-4x,db-scheduler-fetch
# SKIP_BUILD=1 (use bench/target/benchmarks.jar as it is) JAVA_OPTS (default -Xms256m -Xmx1g)
# PGHOST_=127.0.0.1 PGPORT_=5432 PGUSER_=postgres OUT_DIR (default: a new /tmp/queue-comparison.* folder)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BACKLOG=${BACKLOG:-20000}
HISTORY=${HISTORY:-20000}
WARMUP=${WARMUP:-2000}
RATES=${RATES-100,300}
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-2}
WORKERS=${WORKERS:-8}
INTERVAL_MS=${INTERVAL_MS:-1000}
CONTENDERS=${CONTENDERS:-durable-queue,db-scheduler,db-scheduler-4x,db-scheduler-fetch}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/queue-comparison.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/queue-comparison-data.XXXXXX)
DB="bench_tmp_$$_queue"
DB_CREATED=0
LOAD_PID=""
log() { echo "[queue-comparison] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }

cleanup() {
    local rc=$?
    set +e
    [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
    [ "$DB_CREATED" = 1 ] && psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
    rm -rf "$DATA_DIR"
    log "raw outputs: $OUT_DIR"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

JAR="$ROOT/bench/target/benchmarks.jar"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building the bench jar (mvn -B -q -Pbench -pl bench -am package -DskipTests, offline if it can)"
    build() { mvn -B -q "$@" -Pbench -pl bench -am package -DskipTests; }
    { build -o || build; } >"$OUT_DIR/build.log" 2>&1 || { tail -30 "$OUT_DIR/build.log" >&2; die "build failed"; }
fi
[ -f "$JAR" ] || die "$JAR does not exist (build it, or unset SKIP_BUILD)"
# a private copy, so that a rebuild of bench/target during the run cannot pull the classes from under it
cp "$JAR" "$DATA_DIR/benchmarks.jar"
echo "commit $(git rev-parse --short HEAD) ($(git status --porcelain | wc -l) changed paths)," \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" | tee "$OUT_DIR/source.txt"

DB_CREATED=1
psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$DB\"" >/dev/null
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT_DIR/source.txt"
# how busy the machine was during the run (other people's builds share the cores)
while sleep 30; do echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)"; done >"$OUT_DIR/loadavg.txt" &
LOAD_PID=$!
# JAVA_OPTS is split into words on purpose
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$DATA_DIR/benchmarks.jar" com.catalytic.bench.QueueComparison \
    jdbc="jdbc:postgresql://$PGHOST_:$PGPORT_/$DB?user=$PGUSER_" \
    stats="jdbc:postgresql://$PGHOST_:$PGPORT_/postgres?user=$PGUSER_" \
    backlog="$BACKLOG" history="$HISTORY" warmup="$WARMUP" rates="$RATES" seconds="$DURATION" rounds="$ROUNDS" \
    workers="$WORKERS" interval-ms="$INTERVAL_MS" contenders="$CONTENDERS" | tee "$OUT_DIR/result.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); during the run, every 30 s: $(cut -d' ' -f2 \
    "$OUT_DIR/loadavg.txt" | sort -n | sed -n '1p;$p' | paste -sd' ' | sed 's/ / to /')" | tee -a "$OUT_DIR/source.txt"
