#!/usr/bin/env bash
# Benchmark of GET /api/usage on a tenant with a million metered calls (docs/PERFORMANCE.md, "Usage reports"): the
# report read from the hourly roll-up (the default) against the same report counted from usage_logs
# (--catalytic.usage.reports-from-rollup=false, how every report was answered before the roll-up), in one run.
#
#  1. Builds deploy/target/catalytic.jar (SOURCE_REF: a clean export of that commit; SKIP_BUILD=1: the existing jar)
#     and runs a private copy of it.
#  2. Creates a scratch database bench_usage_<run> (trust auth) and runs `catalytic db migrate` on it.
#  3. Starts two nodes of one installation on it, over 127.0.0.1: "rollup" (default settings) and "scan"
#     (--catalytic.usage.reports-from-rollup=false), each with its own data folder, one Redis key prefix.
#  4. Registers a tenant, moves it to the enterprise plan with `catalytic tenant plan` (a million calls a month is an
#     enterprise tenant: no monthly quota, 6,000 requests a minute), issues an API key with scope usage:read, and
#     waits until both nodes answer with the enterprise rate limit.
#  5. Seeds usage_logs with SQL: ROWS calls of that tenant spread over the DAYS days before now (12 endpoints, skewed,
#     about 3 % errors) and OTHER_ROWS calls of OTHER_TENANTS other tenants over the same days; then fills
#     usage_rollups with the statement of the jar's own migration (V23__usage_rollups.sql: what an installation
#     upgrading with these rows runs), timed; then checks that the tenant's roll-up adds up to ROWS. VACUUM ANALYZE.
#  6. ROUNDS rounds; each runs, on each node ("rollup" first in odd rounds, "scan" first in even ones), two reports
#     over the seeded days, from an instant that is not on the hour to the instant the seeding ended (so both ends
#     are partial hours, read from usage_logs on "rollup"): granularity=day and granularity=hour. A run is
#     bench/load/UsageReportLoad.java: one request at a time at most RATE a second (below the plan's 100 a second,
#     so no answer is a 429), WARMUP unmeasured requests, then COUNT (SCAN_COUNT on "scan") measured ones; every
#     answer must be 200 with totals.calls = ROWS (the benchmark's own calls come after the range's end).
#  7. Report (OUT_DIR/summary.md and stdout): p50, p90, p99, max and mean of each run, the median of each over the
#     rounds, the ratio scan / rollup of the p99 medians, and whether the roll-up's p99 is under TARGET_MS.
#
# Settings (environment):
#   ROWS=1000000 OTHER_ROWS=1000000 OTHER_TENANTS=200 DAYS=30
#   ROUNDS=3 RATE=80 WARMUP=100 COUNT=1500 SCAN_WARMUP=3 SCAN_COUNT=40 TARGET_MS=100
#   SOURCE_REF / SKIP_BUILD=1   what to run (default: build the working tree)
#   JAVA_OPTS (default -Xms256m -Xmx1g, as deploy/bin/catalytic)
#   PGHOST_=127.0.0.1 PGPORT_=5432 PGUSER_=postgres   REDIS_HOST=127.0.0.1 REDIS_PORT=6379   OUT_DIR
# Everything runs over 127.0.0.1; the apps, the database, the Redis keys and the temporary folders are removed on any
# exit. On a shared machine, hold the benchmark lock: flock /tmp/catalytic-bench.lock bench/load/usage-report.sh
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

ROWS=${ROWS:-1000000}
OTHER_ROWS=${OTHER_ROWS:-1000000}
OTHER_TENANTS=${OTHER_TENANTS:-200}
DAYS=${DAYS:-30}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-80}
WARMUP=${WARMUP:-100}
COUNT=${COUNT:-1500}
SCAN_WARMUP=${SCAN_WARMUP:-3}
SCAN_COUNT=${SCAN_COUNT:-40}
TARGET_MS=${TARGET_MS:-100}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
HOST=127.0.0.1   # loopback only, never anything else

RUN_ID="$$_$(date +%s)"
REDIS_PREFIX="bench:usage:${RUN_ID}:"
DB="bench_usage_${RUN_ID}"
DB_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/$DB"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/usage-report.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/usage-report-data.XXXXXX)
RESULTS="$OUT_DIR/runs.txt"
: >"$RESULTS"
NODES=(rollup scan)
declare -A APP_PID BASE
DB_CREATED=0

log() { echo "[usage-report $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -X -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }
sql() { psql_ -d "$DB" -v ON_ERROR_STOP=1 -Atqc "$1"; }

# shellcheck source=bench/load/lib.sh
. "$ROOT/bench/load/lib.sh"

cleanup() {
    local rc=$?
    set +e
    local i
    for i in "${!APP_PID[@]}"; do
        if kill -0 "${APP_PID[$i]}" 2>/dev/null; then
            log "stopping the node \"$i\" (pid ${APP_PID[$i]})"
            stop_pid "${APP_PID[$i]}"
        fi
    done
    if [ "$DB_CREATED" = 1 ]; then
        log "dropping database $DB"
        psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
    fi
    drop_redis_keys
    rm -rf "$DATA_DIR" "${SRC_DIR:-}"
    log "outputs: $OUT_DIR"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need jq jq
need psql postgresql-client
need curl curl
need unzip unzip
command -v java >/dev/null || die "java is not on PATH"
for v in ROWS OTHER_ROWS OTHER_TENANTS DAYS ROUNDS WARMUP COUNT SCAN_WARMUP SCAN_COUNT TARGET_MS; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a number"
done
for v in ROWS DAYS COUNT SCAN_COUNT; do [ "${!v}" -gt 0 ] || die "$v must be positive"; done
awk -v r="$RATE" 'BEGIN { exit !(r > 0 && r < 100) }' || die "RATE must be above 0 and below 100 (the plan allows 100 a second)"
pg_isready -h "$PGHOST_" -p "$PGPORT_" -q || die "PostgreSQL is not answering on $PGHOST_:$PGPORT_"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not answering on $REDIS_HOST:$REDIS_PORT"

# ---------------------------------------------------------------- 1. the jar
build_private_jar usage-report
unzip -p "$JAR" 'BOOT-INF/lib/projections-*.jar' >"$DATA_DIR/projections.jar"
MIGRATION=$(unzip -p "$DATA_DIR/projections.jar" db/migration/projections/V23__usage_rollups.sql 2>/dev/null || true)
[ -n "$MIGRATION" ] || die "this build has no usage_rollups migration (V23__usage_rollups.sql)"
BACKFILL=$(sed -n '/^INSERT INTO usage_rollups/,/;[[:space:]]*$/p' <<<"$MIGRATION")
[ -n "$BACKFILL" ] || die "no INSERT INTO usage_rollups statement in V23__usage_rollups.sql"

catalytic() {   # catalytic <log file> <args...>: an operator command against the scratch database
    local out=$1; shift
    # shellcheck disable=SC2086   # JAVA_OPTS is split into words on purpose
    DATABASE_URL="$DB_URL" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" CATALYTIC_DATA_DIR="$DATA_DIR/cli" \
        SPRING_APPLICATION_JSON="{\"catalytic.redis.key-prefix\":\"$REDIS_PREFIX\"}" \
        timeout 600 java $JAVA_OPTS -Ddisable-axoniq-console-message=true -jar "$JAR" "$@" >"$out" 2>&1
}

# ---------------------------------------------------------------- 2. the database
log "creating database $DB"
psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$DB\"" >/dev/null
DB_CREATED=1
mkdir -p "$DATA_DIR/cli"
catalytic "$OUT_DIR/migrate.log" db migrate || { tail -20 "$OUT_DIR/migrate.log" >&2; die "db migrate failed"; }
log "$(grep 'database is at version' "$OUT_DIR/migrate.log" | tail -1)"

# ---------------------------------------------------------------- 3. two nodes
NEXT_PORT=18600
start_node() {   # start_node <name> <extra args...>
    local name=$1; shift
    local port=$NEXT_PORT
    while port_in_use "$port" || port_in_use $((port + 100)); do
        port=$((port + 1)); [ "$port" -lt 18700 ] || die "no free port in 18600-18699"
    done
    NEXT_PORT=$((port + 1))
    BASE[$name]="http://$HOST:$port"
    mkdir -p "$DATA_DIR/$name"
    log "starting the node \"$name\" on ${BASE[$name]} ($*)"
    # shellcheck disable=SC2086
    DATABASE_URL="$DB_URL" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" PORT="$port" \
        MANAGEMENT_PORT=$((port + 100)) CATALYTIC_DATA_DIR="$DATA_DIR/$name" \
        java $JAVA_OPTS -Ddisable-axoniq-console-message=true -jar "$JAR" serve --server.address="$HOST" \
        --catalytic.redis.key-prefix="$REDIS_PREFIX" "$@" >"$OUT_DIR/app-$name.log" 2>&1 &
    APP_PID[$name]=$!
    local n
    n=$(await_healthy "${APP_PID[$name]}" "${BASE[$name]}" "$OUT_DIR/app-$name.log" "the node \"$name\"")
    log "node \"$name\" is up after ~${n} s"
}
start_node rollup
start_node scan --catalytic.usage.reports-from-rollup=false

# ---------------------------------------------------------------- 4. the tenant
J='Content-Type: application/json'
EMAIL="usage-bench-${RUN_ID}@example.com"
PASSWORD="Usage-Bench-Pass-${RUN_ID}"
TENANT_ID=$(call 201 "${BASE[rollup]}/auth/register" -H "$J" \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"company_name\":\"Usage Bench $RUN_ID\"}" | jq -er .tenant_id)
catalytic "$OUT_DIR/tenant-plan.log" tenant plan "$TENANT_ID" enterprise \
    || { tail -20 "$OUT_DIR/tenant-plan.log" >&2; die "catalytic tenant plan failed"; }
TOKEN=$(call 200 "${BASE[rollup]}/auth/login" -H "$J" -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | jq -er .access_token)
KEY_JSON=$(call 201 "${BASE[rollup]}/api/api-keys" -H "$J" -H "Authorization: Bearer $TOKEN" \
    -d '{"name":"usage reports","scopes":["usage:read"]}')
KEY=$(jq -er .key <<<"$KEY_JSON")
KEY_ID=$(jq -er .id <<<"$KEY_JSON")
for name in "${NODES[@]}"; do
    for n in $(seq 1 60); do
        limit=$(curl -s -o /dev/null -D - "${BASE[$name]}/api/usage" -H "X-API-Key: $KEY" \
            | awk -F': ' 'tolower($1) == "x-ratelimit-limit" { gsub(/\r/, "", $2); print $2 }')
        [ "$limit" = 6000 ] && break
        [ "$n" -lt 60 ] || die "the node \"$name\" does not apply the enterprise limit (X-RateLimit-Limit: ${limit:-none})"
        sleep 1
    done
done
log "tenant $TENANT_ID on enterprise on both nodes, API key $KEY_ID"

# ---------------------------------------------------------------- 5. a million calls
T_END=$(sql "SELECT to_char(date_trunc('second', now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
# from an instant that is not on the hour: both ends of the range are partial hours
T_FROM=$(sql "SELECT to_char((TIMESTAMPTZ '$T_END' - INTERVAL '$DAYS days' + INTERVAL '17 minutes 23 seconds') AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
log "seeding $ROWS calls of the tenant and $OTHER_ROWS of $OTHER_TENANTS other tenants over $DAYS days before $T_END"
s0=$(date +%s%N)
psql_ -d "$DB" -v ON_ERROR_STOP=1 -q -v tenant="$TENANT_ID" -v key="$KEY_ID" -v rows="$ROWS" -v other_rows="$OTHER_ROWS" \
    -v other_tenants="$OTHER_TENANTS" -v days="$DAYS" -v t_from="$T_FROM" -v t_end="$T_END" >/dev/null <<'SQL'
SET synchronous_commit = off;
SELECT setseed(0.42);
CREATE TEMP TABLE endpoints (n int PRIMARY KEY, endpoint text, method text, units int);
INSERT INTO endpoints VALUES
    (0, '/api/lattices/{id}/path', 'POST', 12), (1, '/api/me', 'GET', 0), (2, '/api/lattices/{id}/analyze', 'POST', 40),
    (3, '/api/lattices', 'GET', 0), (4, '/api/lattices/{id}', 'GET', 0), (5, '/api/lattices', 'POST', 1),
    (6, '/api/usage', 'GET', 0), (7, '/api/tenant', 'GET', 0), (8, '/api/usage/logs', 'GET', 0),
    (9, '/api/lattices/{id}', 'DELETE', 0), (10, '/api/users', 'GET', 0), (11, '/api/api-keys', 'GET', 0);
-- the calls: endpoint skewed (the first ones most), about 3 % errors, spread evenly over [t_from, t_end)
INSERT INTO usage_logs (id, tenant_id, user_id, api_key_id, endpoint, method, status, duration_ms, bytes, units,
                        occurred_at, request_id)
SELECT md5('call-' || r.g), CASE WHEN r.g <= :rows THEN :'tenant' ELSE 'other-tenant-' || (r.g % :other_tenants) END,
       NULL, CASE WHEN r.g <= :rows THEN :'key' END, e.endpoint, e.method,
       CASE WHEN r.x < 0.02 THEN 429 WHEN r.x < 0.03 THEN 404 ELSE 200 END, 1 + (random() * 40)::int,
       200 + (random() * 4000)::int, CASE WHEN r.x < 0.03 THEN 0 ELSE e.units END,
       TIMESTAMPTZ :'t_from' + random() * (TIMESTAMPTZ :'t_end' - TIMESTAMPTZ :'t_from'), 'req-' || r.g
FROM (SELECT g, random() AS x, floor(12 * power(random(), 2))::int AS n FROM generate_series(1, :rows + :other_rows) g) r
JOIN endpoints e ON e.n = r.n;
SQL
s1=$(date +%s%N)
# the roll-up of every row, as the migration makes it; the table locked meanwhile, so that the nodes' usage projection
# (recording the set-up's own calls) adds its calls after the statement, never into it
b0=$(date +%s%N)
psql_ -d "$DB" -v ON_ERROR_STOP=1 -q <<<"BEGIN; LOCK TABLE usage_rollups IN EXCLUSIVE MODE; DELETE FROM usage_rollups;
$BACKFILL
COMMIT;"
b1=$(date +%s%N)
SEEDED=$(sql "SELECT count(*) FROM usage_logs WHERE tenant_id = '$TENANT_ID' AND occurred_at >= '$T_FROM' AND occurred_at < '$T_END'")
[ "$SEEDED" = "$ROWS" ] || die "the tenant has $SEEDED calls in the range, not $ROWS"
# (the set-up's own calls are rows too, after T_END: both counts hold them; one statement, one snapshot)
ROLLED=$(sql "SELECT (SELECT sum(calls) FROM usage_rollups WHERE tenant_id = '$TENANT_ID') || ' ' || (SELECT count(*) FROM usage_logs WHERE tenant_id = '$TENANT_ID')")
[ "${ROLLED% *}" = "${ROLLED#* }" ] || die "the tenant's roll-up adds up to ${ROLLED% *} calls, usage_logs has ${ROLLED#* }"
sql "VACUUM ANALYZE usage_logs" >/dev/null
sql "VACUUM ANALYZE usage_rollups" >/dev/null
ALL_ROWS=$(sql "SELECT count(*) FROM usage_logs")
ROLLUP_ROWS=$(sql "SELECT count(*) FROM usage_rollups WHERE tenant_id = '$TENANT_ID'")
SIZES=$(sql "SELECT 'usage_logs ' || pg_size_pretty(pg_total_relation_size('usage_logs')) || ', usage_rollups ' || pg_size_pretty(pg_total_relation_size('usage_rollups'))")
log "seeded in $(( (s1 - s0) / 1000000 )) ms; the migration's roll-up of $ALL_ROWS rows took $(( (b1 - b0) / 1000000 )) ms; tenant: $ROWS calls in $ROLLUP_ROWS roll-up rows ($SIZES)"

# ---------------------------------------------------------------- 6. rounds
run() {   # run <round> <node> <granularity>
    local round=$1 node=$2 g=$3 warmup=$WARMUP count=$COUNT line
    if [ "$node" = scan ]; then warmup=$SCAN_WARMUP; count=$SCAN_COUNT; fi
    line=$(timeout 1800 java "$ROOT/bench/load/UsageReportLoad.java" \
        "url=${BASE[$node]}/api/usage?from=$T_FROM&to=$T_END&granularity=$g" "key=$KEY" "rate=$RATE" \
        "warmup=$warmup" "count=$count" "expect=$ROWS" "label=$node-$g" | tail -1)
    case "$line" in RESULT*) ;; *) die "round $round, $node, $g: $line" ;; esac
    echo "round=$round ${line#RESULT }" >>"$RESULTS"
    log "round $round: ${line#RESULT }"
}
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then order=(rollup scan); else order=(scan rollup); fi
    for node in "${order[@]}"; do
        for g in day hour; do run "$r" "$node" "$g"; done
    done
done

# ---------------------------------------------------------------- 7. report
get() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' <<<"$1"; }
median() {   # median <label> <key>: the median over the rounds
    grep " label=$1 " "$RESULTS" | while read -r line; do get "$line" "$2"; done | sort -g \
        | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
{
    echo "source: $(cat "$OUT_DIR/source.txt")"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); $(java -version 2>&1 | head -1); PostgreSQL $(sql 'SHOW server_version')"
    echo "data: the tenant's $ROWS calls over $DAYS days (from $T_FROM to $T_END), $ALL_ROWS usage_logs rows in all ($OTHER_TENANTS other tenants); the tenant's roll-up: $ROLLUP_ROWS rows; $SIZES"
    echo "the migration's roll-up statement over $ALL_ROWS rows: $(( (b1 - b0) / 1000000 )) ms"
    echo "requests: one at a time, at most $RATE a second, enterprise plan (6,000 a minute), API key; every answer 200 with totals.calls = $ROWS"
    echo
    echo "| report | source | p50 ms | p90 ms | p99 ms | max ms | mean ms | requests |"
    echo "|---|---|---|---|---|---|---|---|"
    for g in day hour; do
        for node in rollup scan; do
            printf "| %s days by %s | %s | %s | %s | **%s** | %s | %s | %s × %s |\n" "$DAYS" "$g" \
                "$([ "$node" = rollup ] && echo "roll-up (default)" || echo "usage_logs scan")" \
                "$(median "$node-$g" p50_ms)" "$(median "$node-$g" p90_ms)" "$(median "$node-$g" p99_ms)" \
                "$(median "$node-$g" max_ms)" "$(median "$node-$g" mean_ms)" "$ROUNDS" \
                "$([ "$node" = rollup ] && echo "$COUNT" || echo "$SCAN_COUNT")"
        done
    done
    echo
    echo "(medians over the $ROUNDS rounds; each round's runs in runs.txt)"
    for g in day hour; do
        awk -v s="$(median "scan-$g" p99_ms)" -v r="$(median "rollup-$g" p99_ms)" -v g="$g" -v t="$TARGET_MS" 'BEGIN {
            printf "by %s: p99 scan / roll-up = %.1f; roll-up p99 %s ms < %s ms: %s\n", g, s / r, r, t, (r < t ? "MET" : "NOT MET") }'
    done
} | tee "$OUT_DIR/summary.md"
