#!/usr/bin/env bash
# Webhook delivery benchmark (docs/PERFORMANCE.md, "Webhook delivery"): the real application on a scratch
# PostgreSQL database (created and dropped here), Redis under a key prefix of its own (deleted at the end), and
# bench/load/WebhookDeliveryLoad.java, which runs a fast receiver on 127.0.0.1 and measures (A) the command rate of
# POST /api/api-keys alone, then (B) the same load with HOOKS webhooks per tenant on the receiver: commands/s,
# deliveries/s, event-to-first-attempt delay p50/p90/p99, duplicates.
#
# Settings (environment): DURATION=30 (seconds per phase) WORKERS=8 TENANTS=8 HOOKS=4 SKIP_BUILD=1 (use
# deploy/target/catalytic.jar as it is) JAVA_OPTS (default -Xms256m -Xmx1g) PGHOST_=127.0.0.1 PGPORT_=5432
# PGUSER_=postgres REDIS_HOST=127.0.0.1 REDIS_PORT=6379 OUT_DIR (default: a new /tmp/webhook-delivery.* folder)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
DURATION=${DURATION:-30}
WORKERS=${WORKERS:-8}
TENANTS=${TENANTS:-8}
HOOKS=${HOOKS:-4}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
RUN_ID="$$_$(date +%s)"
REDIS_PREFIX="bench:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/webhook-delivery.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/webhook-delivery-data.XXXXXX)
APP_PID=""
DB=""
log() { echo "[webhook-delivery] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }
# shellcheck source=bench/load/lib.sh
. "$ROOT/bench/load/lib.sh"

cleanup() {
    local rc=$?
    set +e
    if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
        stop_pid "$APP_PID"
    fi
    [ -n "$DB" ] && psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
    drop_redis_keys
    rm -rf "$DATA_DIR" "${SRC_DIR:-}"
    log "raw outputs and the app log: $OUT_DIR"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build_private_jar webhook-delivery
port=18800
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
BASE="http://127.0.0.1:$port"
DB="bench_tmp_${RUN_ID}_hooks"
psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$DB\"" >/dev/null
mkdir -p "$DATA_DIR/app"
# JAVA_OPTS is split into words on purpose
# shellcheck disable=SC2086
DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/$DB" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" \
    PORT="$port" MANAGEMENT_PORT=0 CATALYTIC_DATA_DIR="$DATA_DIR/app" WEBHOOKS_ALLOW_PRIVATE_TARGETS=true \
    java $JAVA_OPTS -jar "$JAR" serve \
    --server.address=127.0.0.1 \
    --catalytic.redis.key-prefix="${REDIS_PREFIX}" \
    --catalytic.auth.max-registrations-per-ip=100000 \
    --catalytic.auth.max-failures-per-ip=100000 \
    --catalytic.plans.free.requests-per-minute=1000000 \
    --catalytic.plans.free.api-calls-per-month=-1 \
    >"$OUT_DIR/app.log" 2>&1 &
APP_PID=$!
for n in $(seq 1 120); do
    kill -0 "$APP_PID" 2>/dev/null || { tail -40 "$OUT_DIR/app.log" >&2; die "the app exited during start-up"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true)" = 200 ] && break
    [ "$n" -lt 120 ] || die "the app did not answer /health within 120 s"
    sleep 1
done
log "app is up after ~${n} s; load: $WORKERS workers, $TENANTS tenants, $HOOKS webhooks each, ${DURATION} s a phase"
java -Xmx512m "$ROOT/bench/load/WebhookDeliveryLoad.java" base="$BASE" run="$RUN_ID" workers="$WORKERS" \
    tenants="$TENANTS" hooks="$HOOKS" duration="$DURATION" | tee "$OUT_DIR/result.txt"
psql_ -d "$DB" -Atc "SELECT status, COUNT(*), MAX(attempts) FROM webhook_deliveries GROUP BY status" \
    | tee "$OUT_DIR/deliveries.txt"
# where the delay goes: event → planned (the delivery processor), planned → first attempt (the dispatcher)
psql_ -d "$DB" -Atc "WITH d AS (SELECT EXTRACT(EPOCH FROM (d.created_at - (d.payload::json->>'created_at')::timestamptz)) * 1000 AS planned_ms,
        EXTRACT(EPOCH FROM (a.attempted_at - d.created_at)) * 1000 AS dispatched_ms
    FROM webhook_deliveries d JOIN webhook_delivery_attempts a ON a.delivery_id = d.id AND a.attempt = 1)
    SELECT 'event_to_planned_ms p50=' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY planned_ms)::numeric)
        || ' p99=' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY planned_ms)::numeric)
        || ' planned_to_first_attempt_ms p50=' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY dispatched_ms)::numeric)
        || ' p99=' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY dispatched_ms)::numeric) FROM d" \
    | tee -a "$OUT_DIR/deliveries.txt"
