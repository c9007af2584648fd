#!/usr/bin/env bash
# How the cost of a command grows with the history of the aggregates it loads (docs/PERFORMANCE.md, "Snapshots"):
# a member change (PATCH /api/users/{id}: the tenant aggregate) and a Stripe webhook's full path
# (customer.subscription.updated: the subscription aggregate, then the tenant's plan) on tenants whose subscription
# has received 20, 200 and 2,000 events (and whose tenant has as many plan changes), in one run.
#
# Starts the real application (deploy/target/catalytic.jar, its default settings) with STRIPE_WEBHOOK_SECRET set, on a
# scratch PostgreSQL database that this script creates and drops, with Redis under a key prefix of its own (deleted at
# the end); then bench/load/HistoryGrowth.java grows a fresh tenant per size and round and times SAMPLES member
# changes and SAMPLES Stripe events on each, one request at a time over one keep-alive connection, the sizes
# interleaved within each round, after a warm-up. Every request goes to 127.0.0.1 and nowhere else. Afterwards it
# reads each measured tenant's event counts and snapshots from the database, and prints per operation and size the
# median over the rounds of each batch's median and mean latency, and their ratio to the smallest size.
#
# Settings (environment):
#   SIZES=20,200,2000 SAMPLES=20 ROUNDS=3 WARMUP=40   history sizes; requests per batch; rounds; warm-up requests
#   PORT          HTTP port of the app (default: the first free one from 18700)
#   SOURCE_REF    a commit (e.g. HEAD): build a clean export of it (git archive) in a temporary folder instead of
#                 the working tree, so that uncommitted or concurrent edits never reach the measured jar
#   SKIP_BUILD=1  use the existing deploy/target/catalytic.jar instead of building it (ignored with SOURCE_REF)
#   APP_ARGS      extra options of the app (e.g. --catalytic.snapshots.tenant-threshold=1000000 to see the growth
#                 without snapshots); the report names them
#   JAVA_OPTS     JVM options of the app (default: -Xms256m -Xmx1g, as deploy/bin/catalytic)
#   PGHOST_=127.0.0.1 PGPORT_=5432 PGUSER_=postgres   the PostgreSQL server (trust auth) to create the database on
#   REDIS_HOST=127.0.0.1 REDIS_PORT=6379
#   OUT_DIR       where the raw outputs and the app log are kept (default: a new /tmp/history-growth.* folder)
# On a shared machine, hold the benchmark lock: flock /tmp/catalytic-bench.lock bench/load/history-growth.sh
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

SIZES=${SIZES:-20,200,2000}
SAMPLES=${SAMPLES:-20}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-40}
APP_ARGS=${APP_ARGS:-}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
HOST=127.0.0.1   # loopback only, never anything else

RUN_ID="$$_$(date +%s)"
REDIS_PREFIX="bench:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/history-growth.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/history-growth-data.XXXXXX)
WEBHOOK_SECRET="whsec_bench_${RUN_ID}_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
APP_PID=""
DB=""

log() { echo "[history-growth] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }

# shellcheck source=bench/load/lib.sh
. "$ROOT/bench/load/lib.sh"

cleanup() {
    local rc=$?
    set +e
    [ -z "$APP_PID" ] || { log "stopping the app (pid $APP_PID)"; stop_pid "$APP_PID"; }
    if [ -n "$DB" ]; then
        log "dropping database $DB"
        psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
    fi
    drop_redis_keys
    rm -rf "$DATA_DIR" "${SRC_DIR:-}"
    log "raw outputs and the app log: $OUT_DIR"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need psql postgresql-client
command -v javac >/dev/null || die "javac is not on PATH (a JDK 17 is needed for the load generator)"
pg_isready -h "$PGHOST_" -p "$PGPORT_" -q || die "PostgreSQL is not answering on $PGHOST_:$PGPORT_"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not answering on $REDIS_HOST:$REDIS_PORT"

build_private_jar history-growth
mkdir -p "$DATA_DIR/gen"
javac -d "$DATA_DIR/gen" "$ROOT/bench/load/HistoryGrowth.java" || die "the load generator does not compile"

port=${PORT:-18700}
while port_in_use "$port"; do [ -z "${PORT:-}" ] || die "port $port is already in use"; port=$((port + 1)); done
BASE="http://$HOST:$port"
DB="bench_tmp_${RUN_ID}_history"
log "creating database $DB"
psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$DB\"" >/dev/null
log "starting the app on $BASE${APP_ARGS:+ with $APP_ARGS}"
mkdir -p "$DATA_DIR/app"
# JAVA_OPTS and APP_ARGS are split into words on purpose
# shellcheck disable=SC2086
DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/$DB" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" \
    PORT="$port" MANAGEMENT_PORT=0 CATALYTIC_DATA_DIR="$DATA_DIR/app" STRIPE_WEBHOOK_SECRET="$WEBHOOK_SECRET" \
    java $JAVA_OPTS -jar "$JAR" serve --server.address="$HOST" --catalytic.redis.key-prefix="${REDIS_PREFIX}" \
    --catalytic.auth.max-registrations-per-ip=100000 $APP_ARGS >"$OUT_DIR/app.log" 2>&1 &
APP_PID=$!
log "app is up after ~$(await_healthy "$APP_PID" "$BASE" "$OUT_DIR/app.log" app) s (pid $APP_PID)"

log "growing the tenants (sizes $SIZES, $ROUNDS rounds) and timing $SAMPLES requests per batch"
T0=$(date +%s)
java -cp "$DATA_DIR/gen" HistoryGrowth base="$BASE" secret="$WEBHOOK_SECRET" run="$RUN_ID" sizes="$SIZES" \
    samples="$SAMPLES" rounds="$ROUNDS" warmup="$WARMUP" >"$OUT_DIR/results.txt" || die "the load generator failed"
T_RUN=$(( $(date +%s) - T0 ))

# each measured tenant's history as the event store holds it now (measured requests included), and its snapshots
: >"$OUT_DIR/histories.txt"
while read -r _ size round tenant; do
    counts=$(psql_ -d "$DB" -Atc "SELECT
        (SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = '$tenant'),
        (SELECT COUNT(*) FROM domain_event_entry WHERE aggregate_identifier = 'sub-$tenant'),
        (SELECT COALESCE(MAX(sequence_number), -1) FROM snapshot_event_entry WHERE aggregate_identifier = '$tenant'),
        (SELECT COALESCE(MAX(sequence_number), -1) FROM snapshot_event_entry WHERE aggregate_identifier = 'sub-$tenant')" \
        | tr '|' ' ')
    echo "$size $round $counts" >>"$OUT_DIR/histories.txt"
done < <(grep '^TENANT ' "$OUT_DIR/results.txt")

{
    echo
    echo "history growth: member change (PATCH /api/users/{id}) and Stripe webhook full path (customer.subscription.updated)"
    echo "source: $(cat "$OUT_DIR/source.txt" 2>/dev/null || echo "existing $ROOT/deploy/target/catalytic.jar")"
    [ -z "$APP_ARGS" ] || echo "extra options of the app (APP_ARGS): $APP_ARGS"
    echo "sizes $SIZES; $ROUNDS rounds of $SAMPLES sequential requests per operation and size (a fresh tenant each), after $WARMUP warm-up requests of each"
    echo "$(nproc) cores, $(java -version 2>&1 | head -1); generator run ${T_RUN} s; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "events at the end (tenant, subscription) and the last snapshot's sequence number (-1: none), per size and round:"
    awk '{ printf "    size %s round %s: tenant %s events (snapshot at %s), subscription %s events (snapshot at %s)\n",
           $1, $2, $3, $5, $4, $6 }' "$OUT_DIR/histories.txt"
    echo
    awk '
      function median(s,   a, k, i, j, t) {
        k = split(s, a, " ")
        for (i = 2; i <= k; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
      /^RESULT / { delete f; for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
        k = f["op"] SUBSEP f["size"]; p50[k] = p50[k] " " f["p50_us"]; mean[k] = mean[k] " " f["mean_us"]
        if (!(f["size"] in seen)) { seen[f["size"]] = 1; sizes[++ns] = f["size"] }
        if (!(f["op"] in seenop)) { seenop[f["op"]] = 1; ops[++no] = f["op"] } }
      END {
        printf "| operation | history (events) | p50 (median of rounds) | mean (median of rounds) | p50 / p50 at %s | mean / mean at %s |\n", sizes[1], sizes[1]
        printf "|---|---|---|---|---|---|\n"
        for (o = 1; o <= no; o++) for (s = 1; s <= ns; s++) {
          k = ops[o] SUBSEP sizes[s]; k0 = ops[o] SUBSEP sizes[1]
          printf "| %s | %s | %.2f ms | %.2f ms | %.2f | %.2f |\n", ops[o] == "member" ? "member change" : "Stripe webhook",
            sizes[s], median(p50[k]) / 1000, median(mean[k]) / 1000, median(p50[k]) / median(p50[k0]),
            median(mean[k]) / median(mean[k0]) } }' "$OUT_DIR/results.txt"
} | tee "$OUT_DIR/summary.txt"
