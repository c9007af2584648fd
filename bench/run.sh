#!/usr/bin/env bash
# One entry point for the benchmarks: bench/run.sh [--smoke] [scenario…] prints one table (docs/PERFORMANCE.md,
# "One table: bench/run.sh"), each scenario against a baseline measured in the same run.
#
# It builds the jar (unless SKIP_BUILD=1), starts two instances of it with their default settings, each on a scratch
# PostgreSQL database, Redis key prefix and data folder of its own (all removed at the end): "on" as deployed
# (metering on) and "off" (--catalytic.metering.enabled=false, the baseline of the metering cost). On each, TENANTS
# tenants are registered and moved to the professional plan by a signed Stripe event (1,200 requests a minute,
# 100,000 calls a month: no limit is raised), each with one API key (users:read, lattices:read, lattices:write,
# keys:manage) and, on "on", one lattice. The load comes from separate processes over loopback (wrk, pgbench, and
# the Java load generators in bench/load); every run is bounded by its duration.
#
# Scenarios (in this order, whatever order they are named in):
#   auth              GET /api/me with API keys in rotation, on "off"  vs  GET /api/plans (public), same instance
#   metering          GET /api/me with API keys in rotation, on "on"   vs  the same on "off"
#   commands          POST /api/api-keys (a command: an event appended, projections follow), on "on"
#                       vs  pgbench: single-row inserts into an equivalent table, same database, same connections
#   read-your-writes  POST /api/lattices, then GET /api/lattices/{id} until it answers 200 (every ms), then DELETE:
#                     the time from the 201 to the first 200 (p50/p95/p99; no baseline)
#   lattice           POST /api/lattices/{id}/path on each tenant's lattice (random pairs), on "on"  vs  GET /api/me
#   usage-report      GET /api/usage (this month, by hour) over the calls the tenants made so far, on "on"
#                       vs  GET /api/me, same instance
#   stripe-webhook    signed customer.subscription.updated events for the tenants (the full path), on "on"
#                       vs  signed events of a type the app does not handle (signature check and inbox only);
#                     (after the scenarios that load GET /api/me: it moves tenants between plans, some to
#                     starter, whose 300 requests a minute the rests between runs do not count on)
#   webhook-delivery  POST /api/api-keys with HOOKS webhooks a tenant on a receiver on 127.0.0.1 (api_key.issued),
#                       vs  the same before the webhooks exist; and the deliveries: each event to each webhook,
#                     deliveries/s until the last one arrived, event-to-first-attempt p50/p95/p99 (bench/load/
#                     WebhookDeliveryLoad.java; "on" accepts private webhook addresses for it)
#   rebuild           catalytic projections rebuild of every projection over the events stored by then, while "on"
#                     runs  vs  the raw read of those events (bench/rebuild/RawRead.java); events/s
#   scale-out         GET /api/me with API keys in rotation, then POST /api/api-keys, served by 2 and 3 nodes on one
#                     database and Redis ("on" plus nodes "on2", "on3" started for it with catalytic.node.roles=api;
#                     "on" keeps the projections and dispatchers)  vs  the same served by "on" alone; CONNECTIONS
#                     split over the nodes, one wrk each, all at once: req/s summed, latencies the worst node's
# Larger cases have scripts of their own: webhook delivery with several webhooks a tenant on fresh tenants
# (bench/load/webhook-delivery.sh), usage reports on a million calls (bench/load/usage-report.sh), a rebuild of a
# million events (bench/rebuild/rebuild-1m.sh).
#
# Before every run on "on", the script waits until each tenant's bucket is back above 90 % (it keeps the tokens each
# tenant has left from the calls the runs admitted), so no run meets the rate limit: a 429 counts as an error.
#
# --smoke   seconds per scenario (DURATION=2s, no warm-up, CONNECTIONS=4, TENANTS=30): checks that every scenario
#           runs and that no request failed (exit status 1 otherwise), not speed. .ci/run runs it.
# --list    prints the scenarios and exits.
#
# Settings (environment): TENANTS=150 CONNECTIONS=16 DURATION=15s WARMUP=10s (a warm-up run of each case, dropped),
# JIT_WARMUP=120s (GET /api/me on each instance before any scenario, so the compiler has done its work; --smoke: 0),
# PARALLEL=4 (tenants set up at once), HOOKS=1 (webhooks a tenant in webhook-delivery),
# SKIP_BUILD=1 / SOURCE_REF=<commit> (as in bench/load/metering.sh),
# JAVA_OPTS (default -Xms256m -Xmx1g), PGHOST_ PGPORT_ PGUSER_ (trust auth), REDIS_HOST REDIS_PORT, OUT_DIR.
# On a shared machine, hold the benchmark lock: flock /tmp/catalytic-bench.lock bench/run.sh
set -euo pipefail
shopt -s inherit_errexit
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# scale-out before stripe-webhook: its runs need every tenant on professional, whose buckets the rests count on
ALL=(auth metering commands read-your-writes lattice usage-report scale-out stripe-webhook webhook-delivery rebuild)

log() { echo "[bench] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

SMOKE=0
SELECTED=()
for arg in "$@"; do
    case "$arg" in
        --smoke) SMOKE=1 ;;
        --list)  printf '%s\n' "${ALL[@]}"; exit 0 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $arg (--smoke, --list, --help)" ;;
        *) printf '%s\n' "${ALL[@]}" | grep -qx -- "$arg" || die "unknown scenario $arg (bench/run.sh --list)"
           SELECTED+=("$arg") ;;
    esac
done
if [ "$SMOKE" = 1 ]; then
    TENANTS=${TENANTS:-30}; CONNECTIONS=${CONNECTIONS:-4}; DURATION=${DURATION:-2s}; WARMUP=${WARMUP:-0s}
    JIT_WARMUP=${JIT_WARMUP:-0s}
else
    TENANTS=${TENANTS:-150}; CONNECTIONS=${CONNECTIONS:-16}; DURATION=${DURATION:-15s}; WARMUP=${WARMUP:-10s}
    JIT_WARMUP=${JIT_WARMUP:-120s}
fi
PARALLEL=${PARALLEL:-4}
HOOKS=${HOOKS:-1}
[[ "$HOOKS" =~ ^[1-9][0-9]*$ ]] || die "HOOKS must be a positive number"
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
HOST=127.0.0.1   # loopback only
PLAN_RPM=1200    # professional: the bucket's capacity, refilled PLAN_RPM / 60 a second
REST_LEVEL=$((PLAN_RPM * 9 / 10))
[ "$SMOKE" = 1 ] && REST_LEVEL=300   # 2 s on 4 connections: well under 300 calls a tenant
secs() { [[ "$1" =~ ^[0-9]+s$ ]] || die "durations are whole seconds (\"15s\"): $1"; echo "${1%s}"; }
DURATION_S=$(secs "$DURATION")
WARMUP_S=$(secs "$WARMUP")
JIT_WARMUP_S=$(secs "$JIT_WARMUP")
[[ "$TENANTS" =~ ^[1-9][0-9]*$ ]] || die "TENANTS must be a positive number"
[[ "$CONNECTIONS" =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS must be a positive number"
[ "$TENANTS" -ge "$CONNECTIONS" ] || die "TENANTS ($TENANTS) must be at least CONNECTIONS ($CONNECTIONS)"
wanted() { [ ${#SELECTED[@]} -eq 0 ] || printf '%s\n' "${SELECTED[@]}" | grep -qx -- "$1"; }

RUN_ID="$$_$(date +%s)"
REDIS_PREFIX="bench:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/bench-run.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/bench-run-data.XXXXXX)
WEBHOOK_SECRET="whsec_bench_${RUN_ID}_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
declare -A APP_PID DB BASE DB_OF   # DB_OF: the instance whose database and Redis keys a node shares
DBS_CREATED=()
psql_() { psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }

# shellcheck source=bench/load/lib.sh
. "$ROOT/bench/load/lib.sh"

cleanup() {
    local rc=$? i
    set +e
    for i in "${!APP_PID[@]}"; do kill -0 "${APP_PID[$i]}" 2>/dev/null && stop_pid "${APP_PID[$i]}"; done
    for i in "${DBS_CREATED[@]}"; do psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$i\" WITH (FORCE)" >/dev/null; done
    drop_redis_keys
    rm -rf "$DATA_DIR" "${SRC_DIR:-}"
    log "outputs: $OUT_DIR"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need wrk wrk
need jq jq
need psql postgresql-client
need pgbench postgresql-client
need openssl openssl
need unzip unzip
command -v javac >/dev/null || die "javac is not on PATH (a JDK 17 runs the load generators)"
pg_isready -h "$PGHOST_" -p "$PGPORT_" -q || die "PostgreSQL is not answering on $PGHOST_:$PGPORT_"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not answering on $REDIS_HOST:$REDIS_PORT"

build_private_jar bench-run
mkdir -p "$DATA_DIR/gen"
javac -encoding UTF-8 -d "$DATA_DIR/gen" "$ROOT/bench/load/ReadYourWrites.java" "$ROOT/bench/load/StripeWebhookLoad.java" \
    "$ROOT/bench/load/WebhookDeliveryLoad.java" || die "the load generators do not compile"

# ---------------------------------------------------------------- the two instances
start_app() {   # start_app <instance> <extra options...>: a database of its own unless DB_OF names another's
    local i=$1 port=18700 n; shift
    while port_in_use "$port"; do port=$((port + 1)); [ "$port" -lt 18800 ] || die "no free port in 18700-18799"; done
    BASE[$i]="http://$HOST:$port"
    if [ -n "${DB_OF[$i]:-}" ]; then
        DB[$i]=${DB[${DB_OF[$i]}]}
    else
        DB[$i]="bench_tmp_${RUN_ID}_$i"
        psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"${DB[$i]}\"" >/dev/null
        DBS_CREATED+=("${DB[$i]}")
    fi
    mkdir -p "$DATA_DIR/$i"
    # nodes of one database share its database encryption key (the first node's development key)
    local key=""
    [ -z "${DB_OF[$i]:-}" ] || key="$DATA_DIR/${DB_OF[$i]}/keys/db_encryption_dev.key"
    log "starting \"$i\" on ${BASE[$i]} $*"
    # JAVA_OPTS is split into words on purpose
    # shellcheck disable=SC2086
    DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/${DB[$i]}" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" \
        PORT="$port" MANAGEMENT_PORT=0 CATALYTIC_DATA_DIR="$DATA_DIR/$i" STRIPE_WEBHOOK_SECRET="$WEBHOOK_SECRET" \
        DB_ENCRYPTION_KEY_PATH="$key" \
        java $JAVA_OPTS -jar "$JAR" serve --server.address="$HOST" \
        --catalytic.redis.key-prefix="${REDIS_PREFIX}${DB_OF[$i]:-$i}:" \
        --catalytic.auth.max-registrations-per-ip=100000 --catalytic.auth.max-failures-per-ip=100000 "$@" \
        >"$OUT_DIR/app-$i.log" 2>&1 &
    APP_PID[$i]=$!
    n=$(await_healthy "${APP_PID[$i]}" "${BASE[$i]}" "$OUT_DIR/app-$i.log" "\"$i\"")
    log "\"$i\" is up after ~${n} s"
}
INSTANCES=(on)
if wanted auth || wanted metering; then INSTANCES+=(off); fi
ON_OPTIONS=()
# the webhook-delivery scenario's receiver listens on 127.0.0.1, which webhooks may not name by default
wanted webhook-delivery && ON_OPTIONS+=(--catalytic.webhooks.allow-private-targets=true)
start_app on "${ON_OPTIONS[@]}"
[[ " ${INSTANCES[*]} " == *" off "* ]] && start_app off --catalytic.metering.enabled=false

# setup_tenant <instance> <base> <n>: a tenant on professional with one API key (and, on "on", one lattice of
# 100 x 100); prints "tenant<TAB>key<TAB>lattice"
setup_tenant() {
    local i=$1 b=$2 n=$3 email password tenant token key lattice="-" k me
    email="bench-${RUN_ID}-$i-$n@example.com"; password="Bench-Run-Pass-${RUN_ID}"
    tenant=$(call 201 "$b/auth/register" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\",\"company_name\":\"Bench $RUN_ID $i $n\"}" | jq -er .tenant_id)
    token=$(call 200 "$b/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -er .access_token)
    key=$(call 201 "$b/api/api-keys" -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
        -d '{"name":"bench","scopes":["users:read","lattices:read","lattices:write","keys:manage","usage:read","webhooks:manage"]}' \
        | jq -er .key)
    post_subscription_event "$b" "$WEBHOOK_SECRET" "evt_bench_${RUN_ID}_${i}_$n" "sub_bench_$n" "$tenant" professional_month
    for k in $(seq 1 60); do   # the plan as the credential cache sees it
        me=$(curl -s "$b/api/me" -H "X-API-Key: $key")
        [ "$(jq -r '.tenant.plan // empty' <<<"$me" 2>/dev/null)" = professional ] && break
        [ "$k" -lt 60 ] || die "tenant $n of \"$i\" is not on professional after 30 s: $me"
        sleep 0.5
    done
    if [ "$i" = on ]; then
        lattice=$(call 201 "$b/api/lattices" -H 'Content-Type: application/json' -H "X-API-Key: $key" \
            -d '{"name":"bench","dimensions":2,"size":100}' | jq -er .id)
    fi
    printf '%s\t%s\t%s\n' "$tenant" "$key" "$lattice"
}
export -f setup_tenant post_subscription_event call log die
export RUN_ID WEBHOOK_SECRET
T0=$(date +%s)
log "setting up $TENANTS tenants on each of ${INSTANCES[*]}, $PARALLEL at a time"
for i in "${INSTANCES[@]}"; do
    seq 1 "$TENANTS" | sed "s|^|$i ${BASE[$i]} |" \
        | xargs -P "$PARALLEL" -L 1 bash -c 'set -eo pipefail; setup_tenant "$@"' _ >"$OUT_DIR/tenants-$i.tsv" \
        || die "setting up the tenants of \"$i\" failed"
    [ "$(cut -f2 "$OUT_DIR/tenants-$i.tsv" | sort -u | wc -l)" = "$TENANTS" ] || die "\"$i\": expected $TENANTS keys"
    cut -f1 "$OUT_DIR/tenants-$i.tsv" >"$OUT_DIR/tenant-ids-$i.txt"
    cut -f2 "$OUT_DIR/tenants-$i.tsv" >"$OUT_DIR/keys-$i.txt"
done
log "set-up took $(( $(date +%s) - T0 )) s"

# ---------------------------------------------------------------- the buckets of "on"
# Every tenant takes the same share of a run's admitted calls (the keys rotate); a bucket refills PLAN_RPM / 60 a
# second up to PLAN_RPM. The buckets count as empty after the set-up (a tenant keeps what its free bucket had left).
LEVEL=0
LEVEL_AT=$(date +%s%3N)
level_now() { awk -v l="$LEVEL" -v t0="$LEVEL_AT" -v t1="$(date +%s%3N)" -v cap="$PLAN_RPM" \
    'BEGIN { l += (t1 - t0) / 1000 * cap / 60; printf "%.1f\n", (l > cap ? cap : l) }'; }
rest() {   # waits until each bucket holds REST_LEVEL tokens: 90 % of its capacity (a smoke run takes far fewer)
    local wait
    wait=$(awk -v l="$(level_now)" -v want="$REST_LEVEL" -v cap="$PLAN_RPM" 'BEGIN { w = (want - l) / (cap / 60); printf "%d\n", (w > 0 ? w + 1 : 0) }')
    [ "$wait" -gt 0 ] || return 0
    log "resting $wait s until the tenants' buckets are full again"
    sleep "$wait"
}
spent() {   # spent <admitted calls on "on">
    LEVEL=$(awk -v l="$(level_now)" -v n="$1" -v t="$TENANTS" 'BEGIN { l -= n / t; printf "%.1f\n", (l < 0 ? 0 : l) }')
    LEVEL_AT=$(date +%s%3N)
}

# ---------------------------------------------------------------- runs and rows
field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }
ROWS="$OUT_DIR/rows.tsv"
: >"$ROWS"
# row <scenario> <what> <req/s> <p50 us> <p95 us> <p99 us> <errors> <baseline req/s or -> <requests> [baseline]
# (a latency of "-": none measured)
row() {
    local ratio="-"
    [ "$8" = "-" ] || ratio=$(awk -v a="$3" -v b="$8" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')
    [ "$8" = "-" ] && [ "${10:-}" = baseline ] && ratio="baseline"
    ms() { if [ "$1" = "-" ]; then echo "-"; else awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; fi; }
    printf '%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(ms "$4")" "$(ms "$5")" "$(ms "$6")" "$7" \
        "$ratio" "$9" >>"$ROWS"
}
# wrk_run <instance> <requests file> <seconds> <expected status>: prints the RESULT line (with rps and errors added)
wrk_run() {
    local out line n s
    out=$(REQUESTS_FILE="$2" EXPECT_STATUS="$4" wrk -t1 -c"$CONNECTIONS" -d"${3}s" --timeout 10s \
        -s "$ROOT/bench/load/requests.lua" "${BASE[$1]}/") || die "wrk failed: $out"
    echo "$out" >>"$OUT_DIR/wrk.txt"
    line=$(grep '^RESULT ' <<<"$out") || die "no RESULT line from wrk: $out"
    n=$(field "$line" requests); s=$(field "$line" duration_us)
    echo "$line rps=$(awk -v n="$n" -v s="$s" -v e="$(field "$line" unexpected)" 'BEGIN { printf "%.1f", (n - e) / (s / 1e6) }') errors=$(( $(field "$line" unexpected) + $(field "$line" socket_errors) ))"
}
# measure <instance> <requests file> <expected status>: a warm-up run (WARMUP), then the measured one, whose RESULT
# line it leaves in LINE (not run in a subshell: runs on "on" rest first and count the calls they took)
measure() {
    local seconds
    for seconds in "$WARMUP_S" "$DURATION_S"; do
        [ "$seconds" -gt 0 ] || continue
        if [ "$1" = on ]; then rest; fi
        LINE=$(wrk_run "$1" "$2" "$seconds" "$3")
        if [ "$1" = on ]; then spent "$(( $(field "$LINE" requests) - $(field "$LINE" unexpected) ))"; fi
    done
}
wrk_row() {   # wrk_row <scenario> <what> <RESULT line> <baseline rps or -> [baseline]
    row "$1" "$2" "$(field "$3" rps)" "$(field "$3" p50_us)" "$(field "$3" p95_us)" "$(field "$3" p99_us)" \
        "$(field "$3" errors)" "$4" "$(field "$3" requests)" "${5:-}"
}
keyed_requests() {   # keyed_requests <keys file> <method> <path> <body>: one request per key
    awk -v m="$2" -v p="$3" -v b="$4" '{ printf "%s\t%s\tX-API-Key: %s | Content-Type: application/json\t%s\n", m, p, $1, b }' "$1"
}

# ---------------------------------------------------------------- scenarios
# compare <scenario> <status> <instance> <requests> <what> <instance> <requests> <what>: the baseline (the first
# three) and the measured case, each measured in turn, then their two rows
compare() {
    local base
    measure "$3" "$4" "$2"; base=$LINE
    measure "$6" "$7" "$2"
    wrk_row "$1" "$5" "$base" - baseline
    wrk_row "$1" "$8" "$LINE" "$(field "$base" rps)"
}
scenario_auth() {
    printf 'GET\t/api/plans\t-\t-\n' >"$DATA_DIR/plans.req"
    keyed_requests "$OUT_DIR/keys-off.txt" GET /api/me - >"$DATA_DIR/me-off.req"
    compare auth 200 off "$DATA_DIR/plans.req" "GET /api/plans, public (off)" \
        off "$DATA_DIR/me-off.req" "GET /api/me, API key (off)"
}
scenario_metering() {
    keyed_requests "$OUT_DIR/keys-off.txt" GET /api/me - >"$DATA_DIR/me-off.req"
    keyed_requests "$OUT_DIR/keys-on.txt" GET /api/me - >"$DATA_DIR/me-on.req"
    compare metering 200 off "$DATA_DIR/me-off.req" "GET /api/me, unmetered (off)" \
        on "$DATA_DIR/me-on.req" "GET /api/me, metered (on)"
}
scenario_commands() {
    keyed_requests "$OUT_DIR/keys-on.txt" POST /api/api-keys '{"name":"bench","scopes":["users:read"]}' \
        >"$DATA_DIR/issue.req"
    psql_ -d "${DB[on]}" -v ON_ERROR_STOP=1 -qc "CREATE TABLE bench_api_keys (id uuid PRIMARY KEY,
        tenant_id varchar(64) NOT NULL, name varchar(100) NOT NULL, key_hash varchar(64) NOT NULL UNIQUE,
        scopes text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX ON bench_api_keys (tenant_id)" >/dev/null
    cat >"$DATA_DIR/insert.sql" <<SQL
\set t random(1, $TENANTS)
INSERT INTO bench_api_keys (id, tenant_id, name, key_hash, scopes)
VALUES (gen_random_uuid(), 'tenant-' || :t, 'bench', md5(random()::text) || md5(random()::text), 'users:read');
SQL
    local base pg tps d
    pgbench_run() {   # pgbench_run <seconds>: prints a RESULT line like wrk_run's
        d=$(mktemp -d "$DATA_DIR/pgbench.XXXXXX")
        (cd "$d" && pgbench -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -n -c "$CONNECTIONS" -j 1 -T "$1" -l \
            -f "$DATA_DIR/insert.sql" "${DB[on]}" >"$d/out.txt" 2>&1) || die "pgbench failed: $(cat "$d/out.txt")"
        tps=$(awk '/^tps = / { print $3; exit }' "$d/out.txt")
        # per-transaction log: client, transaction, latency (us), ...
        cat "$d"/pgbench_log.* | awk '{ print $3 }' | sort -n | awk -v tps="$tps" '
            { v[NR] = $1 } END { printf "RESULT requests=%d rps=%s p50_us=%d p95_us=%d p99_us=%d errors=0\n", NR, tps,
              v[int(NR * 0.50 + 0.999)], v[int(NR * 0.95 + 0.999)], v[int(NR * 0.99 + 0.999)] }'
    }
    [ "$WARMUP_S" -gt 0 ] && pgbench_run "$WARMUP_S" >/dev/null
    pg=$(pgbench_run "$DURATION_S")
    measure on "$DATA_DIR/issue.req" 201; base=$LINE
    wrk_row commands "pgbench: INSERT of one row" "$pg" - baseline
    wrk_row commands "POST /api/api-keys (on)" "$base" "$(field "$pg" rps)"
}
scenario_read_your_writes() {
    ryw_run() {
        java -cp "$DATA_DIR/gen" ReadYourWrites base="${BASE[on]}" keys="$OUT_DIR/keys-on.txt" workers="$CONNECTIONS" \
            duration="$1" | tee -a "$OUT_DIR/read-your-writes.txt" | grep '^RESULT '
    }
    local line
    if [ "$WARMUP_S" -gt 0 ]; then rest; line=$(ryw_run "$WARMUP_S"); spent $(( $(field "$line" cycles) * 4 )); fi
    rest
    line=$(ryw_run "$DURATION_S") || die "ReadYourWrites printed no RESULT"
    spent "$(awk -v c="$(field "$line" cycles)" -v p="$(field "$line" polls_mean)" 'BEGIN { printf "%d", c * (p + 2) }')"
    row read-your-writes "POST /api/lattices 201 until GET shows it (cycles/s)" "$(field "$line" rps)" \
        "$(field "$line" p50_us)" "$(field "$line" p95_us)" "$(field "$line" p99_us)" "$(field "$line" errors)" - \
        "$(field "$line" cycles)"
}
scenario_lattice() {
    # eight pairs per lattice, the tenants in turn (no two calls in a row of one tenant: a tenant's path queries
    # beyond its plan's concurrent compute are refused 429)
    awk -F'\t' '{ lattice[NR] = $3; key[NR] = $2 } END { srand(42); for (k = 0; k < 8; k++) for (i = 1; i <= NR; i++)
        printf "POST\t/api/lattices/%s/path\tX-API-Key: %s | Content-Type: application/json\t{\"start\":[%d,%d],\"end\":[%d,%d]}\n",
        lattice[i], key[i], int(rand() * 100), int(rand() * 100), int(rand() * 100), int(rand() * 100) }' \
        "$OUT_DIR/tenants-on.tsv" >"$DATA_DIR/path.req"
    keyed_requests "$OUT_DIR/keys-on.txt" GET /api/me - >"$DATA_DIR/me-on.req"
    compare lattice 200 on "$DATA_DIR/me-on.req" "GET /api/me, metered (on)" \
        on "$DATA_DIR/path.req" "POST /api/lattices/{id}/path, 100 x 100 (on)"
}
scenario_usage_report() {
    keyed_requests "$OUT_DIR/keys-on.txt" GET '/api/usage?granularity=hour' - >"$DATA_DIR/usage.req"
    keyed_requests "$OUT_DIR/keys-on.txt" GET /api/me - >"$DATA_DIR/me-on.req"
    compare usage-report 200 on "$DATA_DIR/me-on.req" "GET /api/me, metered (on)" \
        on "$DATA_DIR/usage.req" "GET /api/usage, this month by hour (on)"
}
scenario_webhook_delivery() {
    local out a b
    rest
    out=$(timeout $((WARMUP_S + 2 * DURATION_S + 400)) java -cp "$DATA_DIR/gen" WebhookDeliveryLoad base="${BASE[on]}" \
        keys="$OUT_DIR/keys-on.txt" workers="$CONNECTIONS" hooks="$HOOKS" duration="$DURATION_S" warmup="$WARMUP_S" \
        2>>"$OUT_DIR/webhook-delivery.err" | tee -a "$OUT_DIR/webhook-delivery.txt") || true   # judged by its lines
    a=$(grep '^RESULT phase=A' <<<"$out") || die "WebhookDeliveryLoad printed no phase A (see $OUT_DIR/webhook-delivery.err)"
    b=$(grep '^RESULT phase=B' <<<"$out") || die "WebhookDeliveryLoad printed no phase B (see $OUT_DIR/webhook-delivery.err)"
    # the calls taken from the buckets: the warm-up's (about as many as phase A's), both phases', the webhooks made
    spent $(( 2 * $(field "$a" commands) + $(field "$b" commands) + TENANTS * HOOKS ))
    cmd_row() {   # cmd_row <what> <RESULT line> <baseline rps or -> [baseline]
        row webhook-delivery "$1" "$(field "$2" commands_per_s)" "$(field "$2" p50_us)" "$(field "$2" p95_us)" \
            "$(field "$2" p99_us)" "$(field "$2" errors)" "$3" "$(field "$2" commands)" "${4:-}"
    }
    cmd_row "POST /api/api-keys, no webhook (on)" "$a" - baseline
    cmd_row "POST /api/api-keys, $HOOKS webhook(s) a tenant (on)" "$b" "$(field "$a" commands_per_s)"
    us() { echo $(( $(field "$b" "$1") * 1000 )); }
    # a delivery missing after the drain, or one that came twice in a run without faults, is an error
    row webhook-delivery "deliveries: event to first attempt (deliveries/s)" "$(field "$b" deliveries_per_s_to_drain)" \
        "$(us first_attempt_p50_ms)" "$(us p95_ms)" "$(us p99_ms)" \
        $(( $(field "$b" deliveries_expected) - $(field "$b" distinct) + $(field "$b" duplicates) )) - \
        "$(field "$b" deliveries_received)"
}
scenario_stripe_webhook() {
    gen() {   # gen <case> <seconds>
        timeout $(($2 + 60)) java -cp "$DATA_DIR/gen" StripeWebhookLoad "$1" url="${BASE[on]}/webhooks/stripe" \
            secret="$WEBHOOK_SECRET" workers="$CONNECTIONS" duration="$2" run="$RUN_ID" \
            tenants="$OUT_DIR/tenant-ids-on.txt" state="$DATA_DIR/stripe-state.txt" acked="$DATA_DIR/acked.tsv" \
            | tee -a "$OUT_DIR/stripe-webhook.txt" | grep '^RESULT ' | sed 's/ unexpected=/ errors=/'
    }
    local a b
    if [ "$WARMUP_S" -gt 0 ]; then gen a "$WARMUP_S" >/dev/null; gen b "$WARMUP_S" >/dev/null; fi
    a=$(gen a "$DURATION_S") || die "StripeWebhookLoad (a) printed no RESULT"
    b=$(gen b "$DURATION_S") || die "StripeWebhookLoad (b) printed no RESULT"
    wrk_row stripe-webhook "charge.refunded: signature, inbox" "$a" - baseline
    wrk_row stripe-webhook "customer.subscription.updated: full path" "$b" "$(field "$a" rps)"
}

# The just-in-time compiler: a metered instance keeps speeding up for about two minutes of load (docs/PERFORMANCE.md,
# "Metering"), longer than a scenario's own warm-up. Each instance first serves GET /api/me for JIT_WARMUP seconds
# (the buckets run dry on "on", so part of it is 429s: not measured), then the buckets fill again before any run.
if [ "$JIT_WARMUP_S" -gt 0 ]; then
    for i in "${INSTANCES[@]}"; do
        keyed_requests "$OUT_DIR/keys-$i.txt" GET /api/me - >"$DATA_DIR/warm-$i.req"
        log "warming \"$i\" up for $JIT_WARMUP_S s"
        wrk_run "$i" "$DATA_DIR/warm-$i.req" "$JIT_WARMUP_S" 200 >/dev/null
    done
    spent $((TENANTS * PLAN_RPM))
fi

scenario_scale_out() {
    local n i what seconds nodes
    local -A req_file want_status label base
    for i in on2 on3; do
        DB_OF[$i]=on
        start_app "$i" --catalytic.node.roles=api
    done
    keyed_requests "$OUT_DIR/keys-on.txt" GET /api/me - >"$DATA_DIR/me-on.req"
    keyed_requests "$OUT_DIR/keys-on.txt" POST /api/api-keys '{"name":"bench","scopes":["users:read"]}' \
        >"$DATA_DIR/issue.req"
    req_file=([me]="$DATA_DIR/me-on.req" [issue]="$DATA_DIR/issue.req")
    want_status=([me]=200 [issue]=201)
    label=([me]="GET /api/me, metered" [issue]="POST /api/api-keys")
    if [ "$JIT_WARMUP_S" -gt 0 ]; then
        log "warming on2 and on3 up for $JIT_WARMUP_S s"
        wrk_nodes "$JIT_WARMUP_S" "${req_file[me]}" 200 on2 on3 >/dev/null
        spent $((TENANTS * PLAN_RPM))
    fi
    for n in 1 2 3; do
        nodes=(on on2 on3)
        nodes=("${nodes[@]:0:$n}")
        for what in me issue; do
            for seconds in "$WARMUP_S" "$DURATION_S"; do
                [ "$seconds" -gt 0 ] || continue
                rest
                LINE=$(wrk_nodes "$seconds" "${req_file[$what]}" "${want_status[$what]}" "${nodes[@]}")
                spent "$(( $(field "$LINE" requests) - $(field "$LINE" unexpected) ))"
            done
            if [ "$n" = 1 ]; then
                base[$what]=$(field "$LINE" rps)
                wrk_row scale-out "${label[$what]}, 1 node" "$LINE" - baseline
            else
                wrk_row scale-out "${label[$what]}, $n nodes" "$LINE" "${base[$what]}"
            fi
        done
    done
}
# wrk_nodes <seconds> <requests file> <expected status> <instance…>: wrk_run on each node at once, CONNECTIONS split
# over them; prints one RESULT line: requests, errors and req/s summed, latencies the slowest node's
wrk_nodes() {
    local seconds=$1 file=$2 status=$3 k=0 out pids=() pid; shift 3
    local count=$#
    out=$(mktemp -d "$DATA_DIR/nodes.XXXXXX")
    for i in "$@"; do
        CONNECTIONS=$(( CONNECTIONS / count + (k < CONNECTIONS % count ? 1 : 0) )) \
            wrk_run "$i" "$file" "$seconds" "$status" >"$out/$i.txt" &
        pids+=($!)
        k=$((k + 1))
    done
    # the wrk runs only: the instances are background jobs of this shell too
    for pid in "${pids[@]}"; do
        wait "$pid" || die "wrk failed: $(cat "$out"/*.txt)"
    done
    cat "$out"/*.txt | awk -v want="$count" '
        function f(k,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] + 0 } return 0 }
        { n++; req += f("requests"); bad += f("unexpected"); err += f("errors"); rps += f("rps")
          if (f("p50_us") > p50) p50 = f("p50_us"); if (f("p95_us") > p95) p95 = f("p95_us")
          if (f("p99_us") > p99) p99 = f("p99_us") }
        END { if (n != want) exit 1
              printf "RESULT requests=%d unexpected=%d rps=%.1f errors=%d p50_us=%d p95_us=%d p99_us=%d\n",
                  req, bad, rps, err, p50, p95, p99 }' || die "a wrk run printed no RESULT: $(cat "$out"/*.txt)"
}

scenario_rebuild() {
    # the events the other scenarios stored (or, alone, those of the set-up), read raw and rebuilt into every
    # projection by the operator command while "on" keeps running (it swaps the rebuilt tables in)
    local url="jdbc:postgresql://$PGHOST_:$PGPORT_/${DB[on]}" raw out line events secs rate
    unzip -p "$JAR" 'BOOT-INF/lib/postgresql-*.jar' >"$DATA_DIR/postgresql.jar"
    raw=$(java -cp "$DATA_DIR/postgresql.jar" "$ROOT/bench/rebuild/RawRead.java" "$url" "$PGUSER_" 1000 payload) \
        || die "the raw read failed: $raw"
    echo "$raw" >>"$OUT_DIR/rebuild.txt"
    out="$OUT_DIR/rebuild.log"
    # JAVA_OPTS is split into words on purpose
    # shellcheck disable=SC2086
    DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/${DB[on]}" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" \
        CATALYTIC_REDIS_KEY_PREFIX="${REDIS_PREFIX}on:" CATALYTIC_DATA_DIR="$DATA_DIR/rebuild" \
        DB_ENCRYPTION_KEY_PATH="$DATA_DIR/on/keys/db_encryption_dev.key" \
        timeout 1800 java $JAVA_OPTS -Ddisable-axoniq-console-message=true \
        -jar "$JAR" projections rebuild --no-progress >"$out" 2>&1 \
        || { tail -30 "$out" >&2; die "the rebuild failed"; }
    line=$(grep -E '^[0-9]+ events replayed in [0-9.]+ s \([0-9]+ events/s\)' "$out") || die "no result line in $out"
    events=$(awk '{ print $1 }' <<<"$line"); secs=$(awk '{ print $5 }' <<<"$line")
    rate=$(awk -v n="$events" -v s="$secs" 'BEGIN { printf "%.1f", (s > 0 ? n / s : 0) }')
    row rebuild "raw read of the events (events/s)" "$(field "$raw" rate)" - - - 0 - "$(field "$raw" rows)" baseline
    row rebuild "projections rebuild, all, with swap (events/s)" "$rate" - - - 0 "$(field "$raw" rate)" "$events"
}

for s in "${ALL[@]}"; do
    wanted "$s" || continue
    log "scenario $s"
    "scenario_${s//-/_}"
done

# ---------------------------------------------------------------- the table
{
    echo "bench/run.sh $([ "$SMOKE" = 1 ] && echo "--smoke ")$(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$ROOT" rev-parse --short "${SOURCE_REF:-HEAD}" 2>/dev/null || echo '?'):" \
        "$TENANTS tenants on professional, $CONNECTIONS connections, ${DURATION_S} s runs after ${WARMUP_S} s warm-up" \
        "(and ${JIT_WARMUP_S} s for the compiler), $(nproc) cores"
    { printf '%s\n' "scenario	what	req/s	p50 ms	p95 ms	p99 ms	errors	ratio	requests"; cat "$ROWS"; } | column -t -s $'\t'
} | tee "$OUT_DIR/table.txt"

failed=$(awk -F'\t' '$7 != 0 || $9 == 0 { print $1 ": " $2 " (" $9 " requests, " $7 " errors)" }' "$ROWS")
if [ -n "$failed" ]; then
    log "FAILED: runs with errors or without requests:"
    echo "$failed" >&2
    exit 1
fi
log "every run answered without error"
