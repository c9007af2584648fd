#!/usr/bin/env bash
# Projection rebuild benchmark (docs/PERFORMANCE.md, "Projection rebuild"): `catalytic projections rebuild` of every
# projection from a history of EVENTS (default 1,000,000) events, reported next to the raw sequential read rate of
# the event table measured in the same run.
#
#  1. Builds catalytic.jar from a clean export of SOURCE_REF (default HEAD: `git archive | tar -x` into a temporary
#     folder, `mvn -B -q -DskipTests package` there), or takes CATALYTIC_JAR (a path; "1" means
#     deploy/target/catalytic.jar), and runs a private copy of it.
#  2. Creates a scratch database bench_rebuild_<pid> on PGHOST_:PGPORT_ (trust auth) and runs `catalytic db migrate`.
#  3. Format probe: starts the application once on it (127.0.0.1, a free port, Redis keys under a prefix of its own,
#     a temporary CATALYTIC_DATA_DIR), registers a user, logs in, calls GET /api/me, issues, uses, rotates and
#     revokes API keys, renames the tenant, refreshes and logs out; where the build has `catalytic tenant plan`, moves
#     the tenant to "starter" with it (system actor), adds a member and changes the member's role; then stops it.
#     Its rows are what Axon's JDBC engine really wrote; they stay in the table, renumbered to follow the history.
#  4. Generates the history with SQL (bench/rebuild/generate-history.sql: tenants, users, keys, sessions, ~95 %
#     usage events, see USAGE_FORM), then checks it against the probe's rows: for every payload type and actor type the probe
#     produced, the generated rows must have the same payload_type, payload_revision, aggregate type, payload keys
#     and metadata keys, and every time_stamp the engine's format. VACUUM ANALYZE, CHECKPOINT (a long-lived table is
#     vacuumed: hint bits set, no first-read writes).
#  5. Sample check through the real code: `catalytic projections rebuild --as-of <instant>` at about 2 % of the
#     history must succeed and hold exactly the tenants, keys, sessions, usage and audit rows of the events up to
#     that instant (counted in SQL); its schema is dropped afterwards.
#  6. ROUNDS rounds of, alternately:
#       (a) raw read: bench/rebuild/RawRead.java with the driver inside the jar: SELECT global_index, payload,
#           meta_data FROM domain_event_entry ORDER BY global_index through a cursor (fetch size FETCH_SIZE),
#           every value read as Axon reads it, nothing else done; also every column Axon selects ("row"), and psql
#           with FETCH_COUNT to /dev/null as a cross-check
#       (b) `catalytic projections rebuild --no-progress` (all projections, full rebuild with swap): the rate it
#           prints, wall time (JVM start to exit), CPU of the JVM (/usr/bin/time) and of the PostgreSQL backends
#           of the scratch database (/proc, sampled every second), GC pauses (-Xlog:gc). In round 1 the JVM's
#           threads are dumped every second (SIGQUIT, no extra process) and the samples of the main thread are
#           classified (where the time goes).
#  7. After the last full rebuild: read-model row counts against the events, `catalytic audit verify`.
#  8. PROFILE=1 (or auto, the default, when the target is missed): one full replay per projection
#     (`projections rebuild usage`, `... audit`, `... accounts`, `... sessions`, `... access-changes`).
# Everything runs on this machine, over 127.0.0.1 only; every step is bounded by a timeout; the app, the rebuild
# JVMs, the scratch database, the Redis keys and the temporary folders are removed on any exit. Outputs and logs are
# kept in OUT_DIR (default a new /tmp/rebuild-1m.* folder), the summary in OUT_DIR/summary.md.
#
# Settings (environment):
#   EVENTS=1000000      rows in domain_event_entry (the probe's included)
#   USAGE_FORM=batch    usage as UsageRecordedBatchEvent, one call each (what this version writes at this history's
#                       rate per tenant); call: one UsageRecordedEvent per call (what earlier versions wrote)
#   TENANTS             default EVENTS / 500 (at least 20)
#   ROUNDS=2            (a)/(b) rounds
#   SPAN_DAYS=90 GAP_EVERY=2000 SEED=0.42   history length, one unused global_index every GAP_EVERY events (as
#                       rolled-back appends leave them; 0: none), random seed (same seed, same history)
#   FETCH_SIZE=1000     cursor fetch size of the raw read (the rebuild reads 1,000 events per query)
#   PROFILE=auto|1|0    per-projection replays (auto: when the target is missed)
#   SAMPLE=1            thread-dump sampling in round 1 (0: none)
#   TARGET=100000       events/s
#   SOURCE_REF=HEAD     the commit to build; CATALYTIC_JAR=<path>|1 uses that jar instead
#   JAVA_OPTS           JVM options of every catalytic command (default: -Xms256m -Xmx1g, as deploy/bin/catalytic)
#   REBUILD_JAVA_OPTS   those of projections rebuild (default: JAVA_OPTS, -XX:TieredStopAtLevel=1 and
#                       -XX:+UseParallelGC, as deploy/bin/catalytic runs it)
#   RELEASE=prepared    the rebuilds run the jar as catalytic-deploy installs it (unpacked, with the start-up archive
#                       recorded by deploy/bin's prepare_release, as bin/catalytic starts it); jar: java -jar
#   REBUILD_TIMEOUT=1800 seconds, per catalytic command
#   KEEP_DB=0           1: keep the scratch database at the end (for experiments; the script says its name)
#   PGHOST_=127.0.0.1 PGPORT_=5432 PGUSER_=postgres   REDIS_HOST=127.0.0.1 REDIS_PORT=6379   OUT_DIR
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
HERE="$ROOT/bench/rebuild"

EVENTS=${EVENTS:-1000000}
USAGE_FORM=${USAGE_FORM:-batch}
case "$USAGE_FORM" in batch|call) ;; *) echo "USAGE_FORM must be batch or call" >&2; exit 2 ;; esac
TENANTS=${TENANTS:-$(( EVENTS / 500 > 20 ? EVENTS / 500 : 20 ))}
ROUNDS=${ROUNDS:-2}
SPAN_DAYS=${SPAN_DAYS:-90}
GAP_EVERY=${GAP_EVERY:-2000}
SEED=${SEED:-0.42}
FETCH_SIZE=${FETCH_SIZE:-1000}
PROFILE=${PROFILE:-auto}
SAMPLE=${SAMPLE:-1}
TARGET=${TARGET:-100000}
SOURCE_REF=${SOURCE_REF:-HEAD}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
REBUILD_JAVA_OPTS=${REBUILD_JAVA_OPTS:-$JAVA_OPTS -XX:TieredStopAtLevel=1 -XX:+UseParallelGC}
REBUILD_TIMEOUT=${REBUILD_TIMEOUT:-1800}
RELEASE=${RELEASE:-prepared}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
HOST=127.0.0.1   # loopback only, never anything else

RUN_ID="$$"
DB="bench_rebuild_${RUN_ID}"
DB_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/$DB"
JDBC_URL="jdbc:postgresql://$PGHOST_:$PGPORT_/$DB"
REDIS_PREFIX="bench:rebuild:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/rebuild-1m.XXXXXX)}
mkdir -p "$OUT_DIR"
TMP_DIR=$(mktemp -d /tmp/rebuild-1m-tmp.XXXXXX)
APP_PID=""
JOB_PID=""
DB_CREATED=0
SRC_DIR=""

log() { echo "[rebuild-1m $(date +%H:%M:%S)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -X -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }
sql() { psql_ -d "$DB" -v ON_ERROR_STOP=1 -Atqc "$1"; }

stop_pid() {   # stop_pid <pid>: TERM, up to 30 s, then KILL (only processes this script started)
    local pid=$1
    kill -0 "$pid" 2>/dev/null || return 0
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    set +e
    [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
    if [ -n "$JOB_PID" ]; then log "stopping the running catalytic command (pid $JOB_PID)"; stop_pid "$JOB_PID"; fi
    if [ -n "$APP_PID" ]; then log "stopping the app (pid $APP_PID)"; stop_pid "$APP_PID"; fi
    if [ "$DB_CREATED" = 1 ] && [ "${KEEP_DB:-0}" = 1 ]; then
        # the key that opens the personal data its events hold sealed
        cp "$TMP_DIR/data/keys/db_encryption_dev.key" "$OUT_DIR/" 2>/dev/null
        log "keeping database $DB (KEEP_DB=1; its key: $OUT_DIR/db_encryption_dev.key; drop it with: DROP DATABASE \"$DB\")"
    elif [ "$DB_CREATED" = 1 ]; then
        log "dropping database $DB"
        psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
    fi
    if command -v redis-cli >/dev/null 2>&1; then
        redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "${REDIS_PREFIX}*" 2>/dev/null \
            | xargs -r -n 100 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del >/dev/null 2>&1
    fi
    rm -rf "$TMP_DIR" "$SRC_DIR"
    log "outputs and logs: $OUT_DIR"
    exit $rc
}
SAMPLER_PID=""
trap cleanup EXIT
trap 'exit 130' INT TERM

need() {   # need <command> <debian package>
    command -v "$1" >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] || die "$1 is missing (apt-get install $2)"
    log "installing $2"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2"; } >/dev/null
}
need jq jq
need psql postgresql-client
need curl curl
need unzip unzip
[ -x /usr/bin/time ] || need /usr/bin/time time
command -v java >/dev/null || die "java is not on PATH"
case "$PROFILE" in auto|0|1) ;; *) die "PROFILE must be auto, 0 or 1" ;; esac
case "$RELEASE" in prepared|jar) ;; *) die "RELEASE must be prepared or jar" ;; esac
pg_isready -h "$PGHOST_" -p "$PGPORT_" -q || die "PostgreSQL is not answering on $PGHOST_:$PGPORT_"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not answering on $REDIS_HOST:$REDIS_PORT"
T_START=$(date +%s)

# ---------------------------------------------------------------- 1. the jar
if [ -n "${CATALYTIC_JAR:-}" ]; then
    [ "$CATALYTIC_JAR" = 1 ] && CATALYTIC_JAR="$ROOT/deploy/target/catalytic.jar"
    [ -f "$CATALYTIC_JAR" ] || die "CATALYTIC_JAR=$CATALYTIC_JAR does not exist"
    SRC_JAR="$CATALYTIC_JAR"
    echo "existing jar $CATALYTIC_JAR ($(stat -c '%y' "$CATALYTIC_JAR" | cut -d. -f1)); working tree at $(git rev-parse --short HEAD)" \
        >"$OUT_DIR/source.txt"
else
    commit=$(git rev-parse --verify "${SOURCE_REF}^{commit}") || die "SOURCE_REF=$SOURCE_REF is not a commit"
    SRC_DIR=$(mktemp -d /tmp/rebuild-1m-src.XXXXXX)
    log "building commit ${commit:0:7} from a clean export in $SRC_DIR (mvn -B -q -DskipTests package)"
    git archive "$commit" | tar -x -C "$SRC_DIR"
    (cd "$SRC_DIR" && mvn -B -q -DskipTests package) >"$OUT_DIR/build.log" 2>&1 \
        || { tail -30 "$OUT_DIR/build.log" >&2; die "build failed"; }
    SRC_JAR="$SRC_DIR/deploy/target/catalytic.jar"
    echo "commit $commit (clean export, built by the script)" >"$OUT_DIR/source.txt"
fi
cp "$SRC_JAR" "$TMP_DIR/catalytic.jar"
JAR="$TMP_DIR/catalytic.jar"
unzip -p "$JAR" 'BOOT-INF/lib/postgresql-*.jar' >"$TMP_DIR/postgresql.jar"
[ -s "$TMP_DIR/postgresql.jar" ] || die "no PostgreSQL driver in $JAR"
log "jar: $(cat "$OUT_DIR/source.txt")"

# every catalytic command, bounded; output to a file
catalytic() {   # catalytic <log file> <args...>
    local out=$1; shift
    # shellcheck disable=SC2086   # JAVA_OPTS is split into words on purpose
    DATABASE_URL="$DB_URL" timeout "$REBUILD_TIMEOUT" java $JAVA_OPTS -Ddisable-axoniq-console-message=true \
        -jar "$JAR" "$@" >"$out" 2>&1
}

# ---------------------------------------------------------------- 2. scratch database
log "creating database $DB"
psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$DB\"" >/dev/null
DB_CREATED=1
catalytic "$OUT_DIR/migrate.log" db migrate || { tail -20 "$OUT_DIR/migrate.log" >&2; die "db migrate failed"; }
log "migrated: $(tail -1 "$OUT_DIR/migrate.log")"
# how the rebuilds start the jar
REBUILD_RUN=(-jar "$JAR")
if [ "$RELEASE" = prepared ]; then
    mkdir -p "$TMP_DIR/prepare-data"
    printf '%s\n' "DATABASE_URL=$DB_URL" "REDIS_HOST=$REDIS_HOST" "REDIS_PORT=$REDIS_PORT" \
        "CATALYTIC_REDIS_KEY_PREFIX=$REDIS_PREFIX" "CATALYTIC_DATA_DIR=$TMP_DIR/prepare-data" >"$TMP_DIR/prepare.env"
    # shellcheck source=../../deploy/bin/catalytic-common.sh
    . "$ROOT/deploy/bin/catalytic-common.sh"
    log "release: $(prepare_release "$TMP_DIR" "$TMP_DIR/prepare.env")"
    [ -s "$TMP_DIR/app/catalytic.jsa" ] || die "no start-up archive was recorded: $TMP_DIR/prepare.log"
    REBUILD_RUN=("-XX:SharedArchiveFile=$TMP_DIR/app/catalytic.jsa" -jar "$TMP_DIR/app/catalytic.jar")
fi

# ---------------------------------------------------------------- 3. format probe: the real application writes events
port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
PORT=18800
while port_in_use "$PORT"; do PORT=$((PORT + 1)); [ "$PORT" -lt 18900 ] || die "no free port in 18800-18899"; done
BASE="http://$HOST:$PORT"
mkdir -p "$TMP_DIR/data"
log "format probe: starting the app on $BASE"
# shellcheck disable=SC2086
DATABASE_URL="$DB_URL" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" PORT="$PORT" CATALYTIC_DATA_DIR="$TMP_DIR/data" \
    java $JAVA_OPTS -Ddisable-axoniq-console-message=true -jar "$JAR" serve --server.address="$HOST" \
    --catalytic.redis.key-prefix="$REDIS_PREFIX" --catalytic.auth.max-registrations-per-ip=1000 \
    >"$OUT_DIR/app.log" 2>&1 &
APP_PID=$!
for n in $(seq 1 180); do
    kill -0 "$APP_PID" 2>/dev/null || { tail -40 "$OUT_DIR/app.log" >&2; die "the app exited during start-up"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true)" = 200 ] && break
    [ "$n" -lt 180 ] || die "the app did not answer /health within 180 s"
    sleep 1
done
call() {   # call <expected status> <curl args...>; prints the body
    local want=$1; shift
    local body status
    body=$(curl -s --max-time 30 -w '\n%{http_code}' "$@")
    status=${body##*$'\n'}
    body=${body%$'\n'*}
    [ "$status" = "$want" ] || die "expected $want, got $status from curl $*: $body"
    printf '%s' "$body"
}
J='Content-Type: application/json'
EMAIL="probe-${RUN_ID}@example.com"
PASSWORD="Bench-Lattice-Pass-${RUN_ID}"
TENANT_ID=$(call 201 "$BASE/auth/register" -H "$J" \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"company_name\":\"Probe $RUN_ID\"}" | jq -er .tenant_id)
LOGIN=$(call 200 "$BASE/auth/login" -H "$J" -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")
TOKEN=$(echo "$LOGIN" | jq -er .access_token)
REFRESH=$(echo "$LOGIN" | jq -er .refresh_token)
AUTH="Authorization: Bearer $TOKEN"
for _ in 1 2 3; do call 200 "$BASE/api/me" -H "$AUTH" >/dev/null; done
KEY_JSON=$(call 201 "$BASE/api/api-keys" -H "$J" -H "$AUTH" -d '{"name":"k","scopes":["users:read"]}')
KEY=$(echo "$KEY_JSON" | jq -er .key)
KEY_ID=$(echo "$KEY_JSON" | jq -er .id)
for _ in 1 2; do call 200 "$BASE/api/me" -H "X-API-Key: $KEY" >/dev/null; done
call 201 "$BASE/api/api-keys/$KEY_ID/rotate" -H "$J" -H "$AUTH" -d '{"grace_seconds":60}' >/dev/null
KEY2_ID=$(call 201 "$BASE/api/api-keys" -H "$J" -H "$AUTH" -d '{"name":"k2","scopes":["users:read"]}' | jq -er .id)
call 204 -X DELETE "$BASE/api/api-keys/$KEY2_ID" -H "$AUTH" >/dev/null
call 200 -X PATCH "$BASE/api/tenant" -H "$J" -H "$AUTH" -d "{\"name\":\"Probe $RUN_ID renamed\"}" >/dev/null
TOKEN2=$(call 200 "$BASE/auth/refresh" -H "$J" -d "{\"refresh_token\":\"$REFRESH\"}" | jq -er .access_token)
call 204 -X POST "$BASE/auth/logout" -H "Authorization: Bearer $TOKEN2" >/dev/null
# the system actor and team events, where the build has the operator command `catalytic tenant plan` (it runs beside
# the app, as a second node would): upgrade, then add a member and change the member's role over HTTP
if java -jar "$JAR" tenant plan --help >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    DATABASE_URL="$DB_URL" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" CATALYTIC_DATA_DIR="$TMP_DIR/data" \
        SPRING_APPLICATION_JSON="{\"catalytic.redis.key-prefix\":\"$REDIS_PREFIX\"}" \
        timeout 300 java $JAVA_OPTS -Ddisable-axoniq-console-message=true -jar "$JAR" tenant plan "$TENANT_ID" starter \
        >"$OUT_DIR/probe-tenant-plan.log" 2>&1 || { tail -20 "$OUT_DIR/probe-tenant-plan.log" >&2; die "catalytic tenant plan failed"; }
    AUTH="Authorization: Bearer $(call 200 "$BASE/auth/login" -H "$J" -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | jq -er .access_token)"
    MEMBER_ID=$(call 201 "$BASE/api/users" -H "$J" -H "$AUTH" \
        -d "{\"email\":\"member-${RUN_ID}@example.com\",\"role\":\"member\",\"password\":\"$PASSWORD-m\"}" | jq -er .id)
    call 200 -X PATCH "$BASE/api/users/$MEMBER_ID" -H "$J" -H "$AUTH" -d '{"role":"admin"}' >/dev/null
else
    log "format probe: this build has no 'catalytic tenant plan': plan changes and team events are not probed"
fi
log "format probe: done; stopping the app"
stop_pid "$APP_PID"
APP_PID=""
PROBE=$(sql "SELECT count(*) FROM domain_event_entry")
[ "$PROBE" -gt 0 ] || die "the probe wrote no events"
sql "SELECT global_index, event_identifier, aggregate_identifier, sequence_number, type, time_stamp, payload_type,
            payload_revision, convert_from(payload, 'UTF8'), convert_from(meta_data, 'UTF8')
     FROM domain_event_entry ORDER BY global_index" >"$OUT_DIR/probe-rows.txt"
log "format probe: $PROBE events written by the application (rows in $OUT_DIR/probe-rows.txt)"

# ---------------------------------------------------------------- 4. the history
T_END=$(sql "SELECT (min(time_stamp)::timestamptz - interval '1 minute') FROM domain_event_entry")
log "generating $EVENTS events ($TENANTS tenants, $SPAN_DAYS days up to $T_END, one gap every $GAP_EVERY, seed $SEED)"
g0=$(date +%s%3N)
psql_ -d "$DB" -q -v ON_ERROR_STOP=1 -v n_events="$EVENTS" -v existing="$PROBE" -v tenants="$TENANTS" \
    -v t_end="$T_END" -v span_days="$SPAN_DAYS" -v gap_every="$GAP_EVERY" -v seed="$SEED" -v usage_form="$USAGE_FORM" \
    -f "$HERE/generate-history.sql" >"$OUT_DIR/generate.log" 2>&1 || { tail -20 "$OUT_DIR/generate.log" >&2; die "generation failed"; }
psql_ -d "$DB" -q -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE) domain_event_entry" -c "CHECKPOINT" >>"$OUT_DIR/generate.log" 2>&1
g1=$(date +%s%3N)
COUNT=$(sql "SELECT count(*) FROM domain_event_entry")
[ "$COUNT" = "$EVENTS" ] || die "domain_event_entry holds $COUNT rows, not $EVENTS"
HISTORY_END=$(sql "SELECT max(global_index) - $PROBE FROM domain_event_entry")
log "generated in $(( (g1 - g0) / 1000 )) s (VACUUM ANALYZE and CHECKPOINT included): $COUNT rows, global_index up to $((HISTORY_END + PROBE))"

# the generated rows against the probe's: same shape for every (payload type, actor type) the probe produced
sql "WITH r AS (
       SELECT global_index > $HISTORY_END AS probe, payload_type AS pt,
              convert_from(meta_data, 'UTF8')::jsonb ->> 'actor_type' AS actor,
              coalesce(type, '-') || ' rev ' || coalesce(payload_revision, '-')
                || CASE WHEN aggregate_identifier = event_identifier AND sequence_number = 0 AND type IS NULL
                        THEN ' non-aggregate' ELSE ' aggregate' END
                || ' payload{' || (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(convert_from(payload, 'UTF8')::jsonb) k)
                || '} meta{' || (SELECT string_agg(k, ',' ORDER BY k) FROM jsonb_object_keys(convert_from(meta_data, 'UTF8')::jsonb) k)
                || '}' AS shape
       FROM domain_event_entry),
     probed AS (SELECT DISTINCT pt, actor, shape FROM r WHERE probe),
     generated AS (SELECT pt, actor, shape, count(*) AS n FROM r WHERE NOT probe GROUP BY 1, 2, 3)
     SELECT CASE WHEN p.shape IS NOT NULL THEN 'same' WHEN EXISTS (SELECT 1 FROM probed x WHERE x.pt = g.pt AND x.actor = g.actor)
                 THEN 'DIFFERS' ELSE 'not probed' END || ' | ' || g.n || ' | ' || g.pt || ' | ' || g.actor || ' | ' || g.shape
     FROM generated g LEFT JOIN probed p USING (pt, actor, shape) ORDER BY 1" >"$OUT_DIR/format-check.txt"
BAD_TS=$(sql "SELECT count(*) FROM domain_event_entry WHERE time_stamp !~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'")
# in order within the generated history (the application's own rows need not be: a usage event is stamped when
# it is shipped, and a command's event stamped earlier may commit after it)
DISORDER=$(sql "SELECT count(*) FROM (SELECT time_stamp < lag(time_stamp) OVER (ORDER BY global_index) AS back
                                      FROM domain_event_entry WHERE global_index <= $HISTORY_END) s WHERE back")
grep -q '^DIFFERS' "$OUT_DIR/format-check.txt" && { grep '^DIFFERS' "$OUT_DIR/format-check.txt" >&2; sql "SELECT DISTINCT
    payload_type, convert_from(payload, 'UTF8'), convert_from(meta_data, 'UTF8') FROM domain_event_entry
    WHERE global_index > $HISTORY_END" >&2; die "generated events differ from what the application writes (above)"; }
[ "$BAD_TS" = 0 ] || die "$BAD_TS time_stamp values not in the engine's format"
[ "$DISORDER" = 0 ] || die "$DISORDER events have an earlier time_stamp than their predecessor"
log "format check: $(grep -c '^same' "$OUT_DIR/format-check.txt") generated shapes identical to the probe's," \
    "$(grep -c '^not probed' "$OUT_DIR/format-check.txt") not produced by the probe (see format-check.txt); time stamps in order"

sql "SELECT payload_type, count(*), round(100.0 * count(*) / sum(count(*)) OVER (), 2) FROM domain_event_entry
     GROUP BY 1 ORDER BY 2 DESC" | awk -F'|' '{ sub(/^com\.catalytic\.api\./, "", $1); printf "| %s | %d | %.2f %% |\n", $1, $2, $3 }' \
    >"$OUT_DIR/mix.md"
TABLE_SIZE=$(sql "SELECT pg_size_pretty(pg_relation_size('domain_event_entry')) || ' heap (+ ' ||
                  pg_size_pretty(pg_total_relation_size('domain_event_entry') - pg_relation_size('domain_event_entry'))
                  || ' TOAST and indexes), ' || round(avg(octet_length(payload))) || ' B payload and ' ||
                  round(avg(octet_length(meta_data))) || ' B metadata per event on average' FROM domain_event_entry")
log "table: $TABLE_SIZE"
USAGE_EVENTS=$(sql "SELECT count(*) FROM domain_event_entry WHERE payload_type LIKE '%UsageRecorded%'")

# ---------------------------------------------------------------- measurement helpers
CLK_TCK=$(getconf CLK_TCK)
BUSY_TICKS() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
NOW_MS() { date +%s%3N; }
# PostgreSQL backends of the scratch database: "<pid> <ticks>" every second while a command runs (backends exit
# with their connections, so their CPU is sampled, not read once at the end: up to 1 s per backend is missed)
pg_sampler() {   # pg_sampler <out file>
    while :; do
        for p in $(pgrep -f "postgres: .* $DB " || true); do
            awk -v p="$p" '{print p, $14 + $15}' "/proc/$p/stat" 2>/dev/null || true
        done >>"$1"
        sleep 1
    done
}
pg_ticks() { awk '{ if ($2 > m[$1]) m[$1] = $2 } END { for (p in m) s += m[p]; print s + 0 }' "$1"; }

RESULTS="$OUT_DIR/results.txt"   # one line per measurement: kind label key=value...
: >"$RESULTS"

raw_read() {   # raw_read <label> <mode>
    local out="$OUT_DIR/raw-$1-$2.txt" line
    timeout 600 java -Xms256m -Xmx1g -cp "$TMP_DIR/postgresql.jar" "$HERE/RawRead.java" "$JDBC_URL" "$PGUSER_" \
        "$FETCH_SIZE" "$2" >"$out" 2>&1 || { cat "$out" >&2; die "raw read failed"; }
    line=$(grep '^RAW ' "$out") || die "no RAW line in $out"
    echo "raw $1 ${line#RAW }" | tee -a "$RESULTS" >&2
}
psql_read() {   # psql_read <label>: the same query through psql's cursor (FETCH_COUNT), output discarded
    local t0 t1 n
    t0=$(NOW_MS)
    psql_ -d "$DB" -At -v ON_ERROR_STOP=1 -v FETCH_COUNT="$FETCH_SIZE" \
        -c "SELECT global_index, payload, meta_data FROM domain_event_entry ORDER BY global_index" >/dev/null
    t1=$(NOW_MS)
    n=$COUNT
    awk -v l="$1" -v n="$n" -v ms=$((t1 - t0)) 'BEGIN { printf "psql %s rows=%d seconds=%.3f rate=%.0f\n", l, n, ms / 1000, n / (ms / 1000) }' \
        | tee -a "$RESULTS" >&2
}

# run_rebuild <label> <sample 0|1> [catalytic projections rebuild args...]; appends a "rebuild" line to $RESULTS
run_rebuild() {
    local label=$1 sample=$2; shift 2
    local out="$OUT_DIR/rebuild-$label.log" timef="$TMP_DIR/time-$label" pgf="$TMP_DIR/pg-$label" dumps=0
    local w0 w1 b0 b1 java_pid="" line
    : >"$pgf"
    pg_sampler "$pgf" & SAMPLER_PID=$!
    b0=$(BUSY_TICKS); w0=$(NOW_MS)
    # shellcheck disable=SC2086
    # the app's database encryption key opens the personal data the events hold sealed
    DATABASE_URL="$DB_URL" DB_ENCRYPTION_KEY_PATH="$TMP_DIR/data/keys/db_encryption_dev.key" \
        /usr/bin/time -f '%e %U %S %M' -o "$timef" timeout "$REBUILD_TIMEOUT" \
        java $REBUILD_JAVA_OPTS -Ddisable-axoniq-console-message=true -Xlog:gc:file="$OUT_DIR/gc-$label.log" \
        "${REBUILD_RUN[@]}" projections rebuild --no-progress "$@" >"$out" 2>&1 &
    JOB_PID=$!
    if [ "$sample" = 1 ]; then
        # the java process is the grandchild (time → timeout → java); SIGQUIT makes it print a thread dump to its
        # own stdout, without starting another JVM
        while kill -0 "$JOB_PID" 2>/dev/null; do
            if [ -z "$java_pid" ]; then
                local t; t=$(pgrep -P "$JOB_PID" || true)
                [ -n "$t" ] && java_pid=$(pgrep -P "$t" || true)
            fi
            if [ -n "$java_pid" ] && grep -q '^Rebuilding ' "$out" 2>/dev/null; then
                kill -QUIT "$java_pid" 2>/dev/null && dumps=$((dumps + 1))
            fi
            sleep 1
        done
    fi
    wait "$JOB_PID" || { JOB_PID=""; kill "$SAMPLER_PID"; SAMPLER_PID=""; grep -v '^\s*at ' "$out" | tail -30 >&2; die "rebuild $label failed"; }
    JOB_PID=""
    w1=$(NOW_MS); b1=$(BUSY_TICKS)
    kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
    line=$(grep -E '^[0-9]+ events replayed in [0-9.]+ s \([0-9]+ events/s\)' "$out") || die "no result line in $out"
    local events secs rate wall jcpu pgcpu busy gc rss
    events=$(echo "$line" | awk '{print $1}')
    secs=$(echo "$line" | awk '{print $5}')
    rate=$(echo "$line" | sed -E 's/.*\(([0-9]+) events\/s\).*/\1/')
    wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
    read -r _ u s rss <"$timef"
    jcpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.1f", u + s }')
    pgcpu=$(awk -v t="$(pg_ticks "$pgf")" -v k="$CLK_TCK" 'BEGIN { printf "%.1f", t / k }')
    busy=$(awk -v d=$((b1 - b0)) -v k="$CLK_TCK" 'BEGIN { printf "%.1f", d / k }')
    gc=$(awk '/Pause/ { v = $NF; sub(/ms$/, "", v); s += v } END { printf "%.1f", s / 1000 }' "$OUT_DIR/gc-$label.log" 2>/dev/null || echo "?")
    echo "rebuild $label events=$events seconds=$secs rate=$rate wall=$wall jvm_cpu=$jcpu pg_cpu=$pgcpu machine_cpu=$busy gc_pause=$gc rss_kb=$rss dumps=$dumps args=${*:-all}" \
        | tee -a "$RESULTS" >&2
}

# thread-dump samples of the main thread during the replay, classified (first rule that matches the stack)
classify_dumps() {   # classify_dumps <log>
    awk '
      function flush() {
        if (!inmain) return
        c = "other"
        if (st ~ /UsageProjection\.insert/) c = "usage_logs: JDBC batch insert (onPrepareCommit)"
        else if (st ~ /AuditProjection\.write/) c = "audit_logs / audit_heads: JDBC write"
        else if (st ~ /AuditProjection\.(loadHead|alreadyAudited)/) c = "audit: head lookup"
        else if (st ~ /AuditChain|AuditProjection\.changes/) c = "audit: canonical JSON + SHA-256"
        else if (st ~ /ProjectionRebuilder\.swap/ && st !~ /Replay\.run/) c = "swap"
        else if (st ~ /JacksonSerializer|LazyDeserializing|SerializedMessage|deserializ/) c = "deserialization (Jackson: payload, metadata)"
        else if (st ~ /DriverManager\.getConnection|PgConnection\.close/) c = "event store read: a new connection per batch (DriverManagerDataSource)"
        else if (st ~ /JdbcEventStorageEngine|EventStreamSpliterator/) c = "event store read (JdbcEventStorageEngine fetch)"
        else if (st ~ /org\.hibernate|SimpleJpaRepository/) c = "JPA (accounts, sessions, access changes)"
        else if (st ~ /doCommit|commitTransaction|TransactionManager/) c = "transaction commit"
        else if (st ~ /AuditProjection\.on/) c = "audit handler (other)"
        else if (st ~ /UsageProjection\.on/) c = "usage handler (other)"
        else if (st ~ /AnnotationEventHandlerAdapter|AnnotatedMessageHandlingMember|MessageHandlerInterceptor|ParameterResolver/) c = "Axon handler dispatch (canHandle, parameter resolution)"
        else if (st ~ /ProjectionRebuilder\$Replay/) c = "replay loop (other)"
        else if (st ~ /SpringApplication|Flyway|ProjectionRebuilder\.rebuild/) c = "start-up / finish"
        if (top ~ /(NioSocketImpl|SocketInputStream|SocketDispatcher|PGStream\.receive|VisibleBufferedInputStream)/) c = c " [waiting for PostgreSQL]"
        n[c]++; total++
        inmain = 0
      }
      /^"main" / { flush(); inmain = 1; st = ""; top = ""; depth = 0; next }
      inmain && /^[ \t]*$/ { flush(); next }
      inmain && /^[ \t]+at / { depth++; st = st " " $2; if (depth <= 6) top = top " " $2; next }
      END { flush(); for (c in n) printf "%5.1f %%  %4d  %s\n", 100 * n[c] / total, n[c], c | "sort -rn"; }
    ' "$1"
}

# ---------------------------------------------------------------- 5. sample check through the real code (--as-of)
AS_OF_INDEX=$(( HISTORY_END / 50 ))
AS_OF=$(sql "SELECT to_char(time_stamp::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')
             FROM domain_event_entry WHERE global_index <= $AS_OF_INDEX ORDER BY global_index DESC LIMIT 1")
log "sample check: projections rebuild --as-of $AS_OF (the events up to global_index ~$AS_OF_INDEX)"
run_rebuild asof 0 --as-of "$AS_OF"
ASOF_SCHEMA=$(grep -oE 'are in schema asof_[0-9_]+' "$OUT_DIR/rebuild-asof.log" | awk '{print $4}')
[ -n "$ASOF_SCHEMA" ] || die "no as-of schema named in $OUT_DIR/rebuild-asof.log"
check_counts() {   # check_counts <schema> <time_stamp bound>: the read models against the events, in SQL
    local s=$1 bound=$2
    sql "WITH e AS (SELECT payload_type AS pt, convert_from(payload, 'UTF8')::jsonb AS p FROM domain_event_entry
                    WHERE time_stamp <= '$bound')
         SELECT concat_ws(' ',
           'tenants', (SELECT count(*) FROM $s.tenants), (SELECT count(*) FROM e WHERE pt LIKE '%.TenantRegisteredEvent'),
           'users', (SELECT count(*) FROM $s.users), (SELECT count(*) FROM e WHERE pt LIKE '%.UserRegisteredEvent'),
           'api_keys', (SELECT count(*) FROM $s.api_keys), (SELECT count(*) FROM e WHERE pt LIKE '%ApiKeyIssuedEvent'),
           'auth_sessions', (SELECT count(*) FROM $s.auth_sessions), (SELECT count(*) FROM e WHERE pt LIKE '%.SessionStartedEvent'),
           'usage_logs', (SELECT count(*) FROM $s.usage_logs), (SELECT count(*) FROM e WHERE pt LIKE '%UsageRecordedEvent')
               + (SELECT COALESCE(sum(jsonb_array_length(p -> 'records')), 0) FROM e WHERE pt LIKE '%UsageRecordedBatchEvent'),
           'audit_logs', (SELECT count(*) FROM $s.audit_logs), (SELECT count(*) FROM e WHERE pt NOT LIKE '%UsageRecorded%'),
           'audit_heads', (SELECT count(*) FROM $s.audit_heads), (SELECT count(DISTINCT p ->> 'tenantId') FROM e WHERE pt NOT LIKE '%UsageRecorded%'),
           'revoked_sessions', (SELECT count(*) FROM $s.auth_sessions WHERE revoked_at IS NOT NULL), (SELECT count(*) FROM e WHERE pt LIKE '%.SessionRevokedEvent'))"
}
verify_counts() {   # verify_counts <label> <schema> <bound>
    local line ok=1
    line=$(check_counts "$2" "$3")
    echo "$line" | awk '{ for (i = 1; i <= NF; i += 3) printf "%s %s/%s%s", $i, $(i + 1), $(i + 2), (i + 3 <= NF ? ", " : "\n") }' \
        >"$OUT_DIR/counts-$1.txt"
    echo "$line" | awk '{ for (i = 1; i <= NF; i += 3) if ($(i + 1) != $(i + 2)) bad = 1 } END { exit bad }' || ok=0
    log "read models ($1; rows/events): $(cat "$OUT_DIR/counts-$1.txt")"
    [ "$ok" = 1 ] || die "read-model rows do not match the events ($1)"
}
verify_counts asof "$ASOF_SCHEMA" "$AS_OF"
sql "DROP SCHEMA $ASOF_SCHEMA CASCADE"

# ---------------------------------------------------------------- 6. rounds: (a) raw read, (b) full rebuild
log "machine: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
others=$(ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk '$1 > 20' | head -5)
[ -z "$others" ] || log "WARNING: other processes are busy, the figures will be disturbed: $(echo "$others" | tr '\n' ';')"
echo "load average before the rounds: $(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT_DIR/load.txt"
for r in $(seq 1 "$ROUNDS"); do
    log "round $r: (a) raw read (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    raw_read "round$r" payload
    raw_read "round$r" row
    psql_read "round$r"
    log "round $r: (b) projections rebuild (all)"
    run_rebuild "round$r" "$([ "$r" = 1 ] && echo "$SAMPLE" || echo 0)"
done
echo "load average after the rounds: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT_DIR/load.txt"

# ---------------------------------------------------------------- 7. the result is right
verify_counts full public "9999"
catalytic "$OUT_DIR/audit-verify.log" audit verify || { tail -20 "$OUT_DIR/audit-verify.log" >&2; die "audit verify failed"; }
log "audit verify: $(grep -v '^\s*$' "$OUT_DIR/audit-verify.log" | grep -iv ' INFO \| WARN ' | tail -2 | tr '\n' ' ')"

MEAN_RATE=$(awk '$1 == "rebuild" && $2 ~ /^round/ { for (i = 3; i <= NF; i++) if ($i ~ /^rate=/) { sub(/rate=/, "", $i); s += $i; n++ } }
                 END { printf "%.0f", n ? s / n : 0 }' "$RESULTS")

# ---------------------------------------------------------------- 8. per projection
if [ "$PROFILE" = 1 ] || { [ "$PROFILE" = auto ] && [ "$MEAN_RATE" -lt "$TARGET" ]; }; then
    for p in accounts sessions access-changes usage audit; do
        log "profile: projections rebuild $p"
        run_rebuild "only-$p" 0 "$p"
    done
fi

# ---------------------------------------------------------------- report
[ "$SAMPLE" = 1 ] && classify_dumps "$OUT_DIR/rebuild-round1.log" >"$OUT_DIR/profile-round1.txt"
get() { awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' <<<"$1"; }
{
    echo "source: $(cat "$OUT_DIR/source.txt"); rebuilds run as RELEASE=$RELEASE: ${REBUILD_RUN[*]}"
    echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //');" \
         "$(java -version 2>&1 | head -1); PostgreSQL $(sql 'SHOW server_version'), shared_buffers $(sql 'SHOW shared_buffers')"
    cat "$OUT_DIR/load.txt"
    echo "events: $COUNT ($USAGE_EVENTS usage events as USAGE_FORM=$USAGE_FORM, $TENANTS tenants, $PROBE written by the application's probe), $TABLE_SIZE"
    echo "generation: $(( (g1 - g0) / 1000 )) s; whole run: $(( $(date +%s) - T_START )) s"
    echo
    echo "| round | (a) raw read, JDBC cursor: global_index, payload, meta_data | (a) every column Axon selects | (a) psql FETCH_COUNT | (b) projections rebuild: printed rate | (b) replay time (printed) | (b) wall time | (b) / (a) |"
    echo "|---|---|---|---|---|---|---|---|"
    for r in $(seq 1 "$ROUNDS"); do
        a=$(grep "^raw round$r mode=payload " "$RESULTS"); ar=$(grep "^raw round$r mode=row " "$RESULTS")
        p=$(grep "^psql round$r " "$RESULTS"); b=$(grep "^rebuild round$r " "$RESULTS")
        printf "| %s | %s events/s (%s s) | %s events/s | %s events/s | **%s events/s** | %s s | %s s | %.1f %% |\n" "$r" \
            "$(get "$a" rate)" "$(get "$a" seconds)" "$(get "$ar" rate)" "$(get "$p" rate)" "$(get "$b" rate)" \
            "$(get "$b" seconds)" "$(get "$b" wall)" "$(awk -v x="$(get "$b" rate)" -v y="$(get "$a" rate)" 'BEGIN { print 100 * x / y }')"
    done
    echo
    echo "| run | events | printed rate | replay (printed) | wall | JVM CPU | PostgreSQL CPU | other processes' CPU | machine busy | GC pauses | max RSS |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    grep '^rebuild ' "$RESULTS" | while read -r line; do
        printf "| %s (%s) | %s | %s events/s | %s s | %s s | %s s | %s s | %s s | %s %% | %s s | %s MiB |\n" \
            "$(echo "$line" | awk '{print $2}')" "$(get "$line" args)" "$(get "$line" events)" "$(get "$line" rate)" \
            "$(get "$line" seconds)" "$(get "$line" wall)" "$(get "$line" jvm_cpu)" "$(get "$line" pg_cpu)" \
            "$(awk -v m="$(get "$line" machine_cpu)" -v j="$(get "$line" jvm_cpu)" -v p="$(get "$line" pg_cpu)" 'BEGIN { o = m - j - p; printf "%.1f", o < 0 ? 0 : o }')" \
            "$(awk -v m="$(get "$line" machine_cpu)" -v w="$(get "$line" wall)" -v c="$(nproc)" 'BEGIN { printf "%.0f", 100 * m / (w * c) }')" \
            "$(get "$line" gc_pause)" "$(( $(get "$line" rss_kb) / 1024 ))"
    done
    echo
    echo "mean printed rebuild rate over the rounds: $MEAN_RATE events/s; target >= $TARGET events/s: $([ "$MEAN_RATE" -ge "$TARGET" ] && echo MET || echo "NOT MET")"
    echo "read models after the last full rebuild (rows/events): $(cat "$OUT_DIR/counts-full.txt")"
    if [ -s "$OUT_DIR/profile-round1.txt" ]; then
        echo
        echo "main thread of the round-1 rebuild, $(get "$(grep '^rebuild round1 ' "$RESULTS")" dumps) thread dumps (1 s apart), by what it was doing:"
        sed 's/^/    /' "$OUT_DIR/profile-round1.txt"
    fi
    echo
    echo "event mix:"
    echo "| payload type | events | share |"
    echo "|---|---|---|"
    cat "$OUT_DIR/mix.md"
} | tee "$OUT_DIR/summary.md"
