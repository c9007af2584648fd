#!/usr/bin/env bash
# Load benchmark of metering as a user meets it (docs/PERFORMANCE.md, "Metering"): what metering costs a cheap
# authenticated call, GET /api/me with an API key, on paid plans, against the same jar with metering off.
#
# Two instances of the same jar (deploy/target/catalytic.jar) run side by side over loopback: "on" (metering with
# its default settings) and "off" (--catalytic.metering.enabled=false), each with its own scratch PostgreSQL
# database, Redis key prefix and data folder (all removed at the end). Both get the same tenants:
#
#   SCENARIO=paid (default; what a user meets)
#       TENANTS tenants (150), each registered, logged in, with one API key (scope users:read), and moved to the
#       professional plan by a signed Stripe event (customer.subscription.updated, status active, price lookup key
#       professional_month) posted to POST /webhooks/stripe (STRIPE_WEBHOOK_SECRET is set for the run). Each
#       tenant's plan is checked afterwards: GET /api/me with its key must say tenant.plan = professional and, on
#       "on", X-RateLimit-Limit: 1200; then the tenants read table and the stripe_events inbox of each instance.
#       No limit is raised: professional is 1,200 requests a minute (a token bucket of 1,200 refilled at 20 a
#       second) and 100,000 calls a month, so every metered call is admitted against its tenant's bucket (in Redis)
#       and its monthly quota, with whatever round trips the build needs for that.
#   SCENARIO=raised (the former figures: raised limits, not what a user meets)
#       one tenant on the free plan, whose limits "on" raises out of the way (100,000,000 requests a minute, no
#       monthly quota), as bench/load/api-key-auth.sh METERING=both does.
#
# wrk (WRK_THREADS threads, 1) sends GET /api/me with an X-API-Key header taken from the tenants' keys in
# rotation (each request the next key), on each connection count of CONNECTIONS ("16 64"). A round is, for each
# connection count, one run on each instance, "on" first in odd rounds and "off" first in even ones. WARMUP_ROUNDS
# rounds (5) whose figures are dropped come before the ROUNDS measured ones (3): the metered instance's just-in-time
# compiler is still busy after 90 s of load (the report shows each run's compilation time, jvm.compilation.time,
# so a measured run that still compiled can be seen). Every request goes to 127.0.0.1 and nowhere else; every wrk
# run is bounded by its duration; the apps are stopped and the scratch state removed on any exit.
#
# No tenant may reach its limit, and the bucket arithmetic decides the durations. A run of D seconds at R metered
# requests a second over T tenants takes R*D/T tokens from each tenant's bucket while the bucket refills 20*D: a
# bucket that starts full (1,200) lasts the run while (R/T - 20) * D < 1200, i.e. R < T * (20 + 1200/D).
#   - today (~3,600 metered req/s): 24 req/s a tenant, 4 a second more than the refill: no bucket runs low;
#   - after optimisation (~10,000 req/s): 67 req/s a tenant, 47 a second more than the refill: a 15 s run takes
#     700 of the 1,200 tokens (a 20 s run 930, a 30 s run would drain the buckets after 26 s);
#   - with the defaults (T = 150, D = 10 s) a run stays clear of the limit up to R = 150 * (20 + 120) = 21,000 req/s
#     (15,000 with the 15 s runs of the figures before 2026-12-07, which a fast day's metered instance came within
#     a few per cent of); the warm-up runs stay 15 s (WARMUP), their figures are dropped anyway.
# Between runs the buckets refill at 20 a second (full again in at most 60 s). So that consecutive metered runs do
# not eat into each other's tokens, the script keeps the tokens each tenant has left (from the 2xx each metered run
# counted and the refill since) and, before a metered run, waits until every bucket is full again (REST=1; the
# unmetered instance's runs in between count as rest; at ~3,600 req/s there is next to nothing to wait, at
# ~10,000 req/s about 35 s minus the unmetered run before each metered one). The buckets count as empty at the end
# of the set-up: a tenant moved from free to professional keeps what its free bucket had left (under 60 tokens) and
# fills up to 1,200 at the new rate, within a minute. After each metered run the script warns when the rate it
# measured would take over 90 % of a bucket in one run. 429s are counted anyway, three ways: wrk's non-2xx count, a
# tally of the answers by status in the wrk script (response()), and the server's own count of 429 answers
# (http_server_requests_seconds_count, status 429, from /actuator/prometheus) over each run; the report flags any
# non-2xx answer in a metered run. The monthly quota: a tenant takes at most a full bucket plus the refill a run
# (1,200 + 20*D), so the 16 runs of the defaults take under 25,000 of its 100,000.
#
# Report (OUT_DIR/summary.txt and stdout): for each connection count, unmetered and metered req/s (2xx only), their
# ratio, p50 and p99 of each, non-2xx and 429 counts, app, PostgreSQL, Redis and wrk CPU per request, and the CPU
# that everything else on the machine took during each run (how disturbed the run was): the median over the rounds
# and each round's figures; then each instance's CPU per request by thread group (request threads, the journal
# writer, the shipper, the event processors, Redis client, JIT, GC; threads.txt has every run's). Then the usage
# log check (every metered GET /api/me answered 200 has one usage_logs row once the usage projection has caught up)
# and the usage projection lag. Raw wrk outputs, app logs, per-run lines (runs.txt) and the keys are kept in OUT_DIR.
#
# Usage:
#   flock /tmp/catalytic-bench.lock bench/load/metering.sh                      # the default scenario (~13 min)
#   SCENARIO=raised flock /tmp/catalytic-bench.lock bench/load/metering.sh      # raised limits, one tenant
#   PROFILE=jfr SOURCE_REF=HEAD flock /tmp/catalytic-bench.lock bench/load/metering.sh
#   HOLD=1 bench/load/metering.sh     # set up both instances, print their URLs, keys file and pids, wait for ^C
#
# Settings (environment):
#   SCENARIO=paid   paid (default) or raised (see above)
#   TENANTS=150     tenants of each instance (SCENARIO=paid; raised has one)
#   CONNECTIONS="16 64" DURATION=10s ROUNDS=3 WARMUP_ROUNDS=5 WRK_THREADS=1   wrk runs (durations in whole seconds)
#   WARMUP=15s      the duration of each warm-up run
#   REST=1          before each metered run, wait until every tenant's bucket is full again (SCENARIO=paid)
#   PARALLEL=4      tenants set up at once (registration and login hash passwords: CPU-bound)
#   PROFILE         jfr: a JFR recording (settings=profile) of the metered instance during round 1's run on the
#                   first connection count, kept in OUT_DIR, with a summary (*-top.txt, by bench/load/JfrTop.java:
#                   CPU samples by top frame and by first com.catalytic frame, then parks, monitor waits and socket
#                   reads by thread group, site and what it waits in); JFR_OPTIONS, options of the profile settings (default
#                   "locking-threshold=1ms socket-threshold=1ms": the waits of a request are mostly under 10 ms);
#                   a first recording during the metered instance's first warm-up run takes JFR's start-up cost;
#                   async: the same run profiled with async-profiler (ASYNC_PROFILER_LIB, the path of
#                   libasyncProfiler.so: the metered app starts with -agentpath, and the run is profiled through
#                   the agent's own start/stop commands, sent with jcmd JVMTI.agent_load) into a flame graph
#                   (.html) and collapsed stacks; PROFILE_EVENT=cpu (or wall, alloc, lock)
#                   The profiled run's figures are marked in the report (profiling costs a few per cent).
#   HOLD            1: after the set-up, print the two base URLs, the keys files and the pids, then wait until
#                   interrupted (no wrk run); end: the same after the runs and the report; then clean up as usual
#   PORT            HTTP port of the first app; the second takes the next free one (default: the first free ones
#                   from 18700; management ports are 100 above)
#   SOURCE_REF      a commit (e.g. HEAD): build a clean export of it (git archive) in a temporary folder instead of
#                   the working tree, so that uncommitted or concurrent edits never reach the measured jar
#   SKIP_BUILD=1    use the existing deploy/target/catalytic.jar instead of building it (ignored with SOURCE_REF)
#   JAVA_OPTS       JVM options of the apps (default: -Xms256m -Xmx1g, as deploy/bin/catalytic)
#   APP_ARGS        extra options of both apps (e.g. --catalytic.event-store.cached-events=512), for A/B runs of a
#                   setting; the report's header names them
#   PGHOST_=127.0.0.1 PGPORT_=5432 PGUSER_=postgres   the PostgreSQL server (trust auth) to create the databases on
#   REDIS_HOST=127.0.0.1 REDIS_PORT=6379
#   OUT_DIR         where the outputs are kept (default: a new /tmp/metering.* folder)
# On a shared machine, hold the benchmark lock: flock /tmp/catalytic-bench.lock bench/load/metering.sh
set -euo pipefail
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

SCENARIO=${SCENARIO:-paid}
TENANTS=${TENANTS:-150}
CONNECTIONS=${CONNECTIONS:-16 64}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-15s}
ROUNDS=${ROUNDS:-3}
WARMUP_ROUNDS=${WARMUP_ROUNDS:-5}   # the metered JVM compiles for over two minutes of load (see the report's JIT row)
WRK_THREADS=${WRK_THREADS:-1}
REST=${REST:-1}
PARALLEL=${PARALLEL:-4}
PROFILE=${PROFILE:-}
PROFILE_EVENT=${PROFILE_EVENT:-cpu}
JFR_OPTIONS=${JFR_OPTIONS:-locking-threshold=1ms socket-threshold=1ms}
HOLD=${HOLD:-0}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
APP_ARGS=${APP_ARGS:-}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
HOST=127.0.0.1   # loopback only, never anything else
PLAN_RPM=1200    # professional: requests a minute (the bucket's capacity; it refills PLAN_RPM / 60 a second)

RUN_ID="$$_$(date +%s)"
REDIS_PREFIX="bench:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/metering.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/metering-data.XXXXXX)
WEBHOOK_SECRET="whsec_bench_${RUN_ID}_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
INSTANCES=(on off)
declare -A APP_PID DB BASE MBASE
declare -a DBS_CREATED=()
HOLD_PID=""

log() { echo "[metering] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }
secs() { [[ "$1" =~ ^[0-9]+s$ ]] || die "durations are whole seconds (\"15s\"): $1"; echo "${1%s}"; }

# shellcheck source=bench/load/lib.sh
. "$ROOT/bench/load/lib.sh"

cleanup() {
    local rc=$?
    set +e
    [ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null
    local i
    for i in "${!APP_PID[@]}"; do
        if kill -0 "${APP_PID[$i]}" 2>/dev/null; then
            log "stopping the app \"$i\" (pid ${APP_PID[$i]})"
            stop_pid "${APP_PID[$i]}"
        fi
    done
    for i in "${DBS_CREATED[@]}"; do
        log "dropping database $i"
        psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$i\" WITH (FORCE)" >/dev/null
    done
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
need openssl openssl
need /usr/bin/time time
command -v java >/dev/null || die "java is not on PATH"
case "$SCENARIO" in
    paid)   ;;
    raised) TENANTS=1 ;;
    *)      die "SCENARIO must be paid or raised" ;;
esac
[[ "$TENANTS" =~ ^[1-9][0-9]*$ ]] || die "TENANTS must be a positive number"
DURATION_S=$(secs "$DURATION")
WARMUP_S=$(secs "$WARMUP")
read -r -a CONN_LIST <<<"$CONNECTIONS"
[ "${#CONN_LIST[@]}" -ge 1 ] || die "CONNECTIONS is empty"
for c in "${CONN_LIST[@]}"; do [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "CONNECTIONS: not a number: $c"; done
PROFILE_CONNS=${CONN_LIST[0]}
case "$PROFILE" in
    ""|jfr) ;;
    async)
        [ -n "${ASYNC_PROFILER_LIB:-}" ] && [ -f "$ASYNC_PROFILER_LIB" ] \
            || die "PROFILE=async needs ASYNC_PROFILER_LIB, the path of libasyncProfiler.so"
        ;;
    *) die "PROFILE must be jfr or async" ;;
esac
if [ -n "$PROFILE" ]; then command -v jcmd >/dev/null || die "PROFILE=$PROFILE needs jcmd (a JDK)"; fi
case "$HOLD" in 0|1|end) ;; *) die "HOLD must be 1 or end" ;; esac

# ---------------------------------------------------------------- build
build_private_jar metering

metering_args() {   # metering_args <instance>
    case "$SCENARIO:$1" in
        paid:on)   echo "${APP_ARGS}" ;;
        raised:on) echo "--catalytic.plans.free.requests-per-minute=100000000 --catalytic.plans.free.api-calls-per-month=-1 ${APP_ARGS}" ;;
        *:off)     echo "--catalytic.metering.enabled=false ${APP_ARGS}" ;;
    esac
}
agent_args() {   # agent_args <instance>: the profiler agent, on the metered instance only
    [ "$PROFILE" = async ] && [ "$1" = on ] && echo "-agentpath:$ASYNC_PROFILER_LIB"
    return 0
}

pg_isready -h "$PGHOST_" -p "$PGPORT_" -q || die "PostgreSQL is not answering on $PGHOST_:$PGPORT_"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not answering on $REDIS_HOST:$REDIS_PORT"

# ---------------------------------------------------------------- start the apps, one after the other
NEXT_PORT=${PORT:-18700}
start_app() {   # start_app <instance>
    local i=$1 port=$NEXT_PORT
    if [ -n "${PORT:-}" ]; then
        ! port_in_use "$port" || die "port $port is already in use"
    else
        while port_in_use "$port" || port_in_use $((port + 100)); do
            port=$((port + 1)); [ "$port" -lt 18800 ] || die "no free port in 18700-18799"
        done
    fi
    NEXT_PORT=$((port + 1))
    BASE[$i]="http://$HOST:$port"
    local mport=$((port + 100))   # the metrics are on the management port, on loopback
    ! port_in_use "$mport" || die "management port $mport is already in use"
    MBASE[$i]="http://127.0.0.1:$mport"
    DB[$i]="bench_tmp_${RUN_ID}_$i"
    log "creating database ${DB[$i]}"
    psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"${DB[$i]}\"" >/dev/null
    DBS_CREATED+=("${DB[$i]}")
    mkdir -p "$DATA_DIR/$i"
    log "starting the app \"$i\" on ${BASE[$i]} (metering args: $(metering_args "$i"))"
    # JAVA_OPTS, the agent and the metering arguments are split into words on purpose
    # shellcheck disable=SC2086,SC2046
    DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/${DB[$i]}" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" \
        PORT="$port" MANAGEMENT_PORT="$mport" CATALYTIC_DATA_DIR="$DATA_DIR/$i" STRIPE_WEBHOOK_SECRET="$WEBHOOK_SECRET" \
        java $JAVA_OPTS $(agent_args "$i") -jar "$JAR" serve \
        --server.address="$HOST" \
        --catalytic.redis.key-prefix="${REDIS_PREFIX}$i:" \
        --catalytic.auth.max-registrations-per-ip=100000 \
        --catalytic.auth.max-failures-per-ip=100000 \
        $(metering_args "$i") \
        >"$OUT_DIR/app-$i.log" 2>&1 &
    APP_PID[$i]=$!
    local n
    n=$(await_healthy "${APP_PID[$i]}" "${BASE[$i]}" "$OUT_DIR/app-$i.log" "the app \"$i\"")
    log "app \"$i\" is up after ~${n} s (pid ${APP_PID[$i]})"
}
for i in "${INSTANCES[@]}"; do start_app "$i"; done
if [ "$SCENARIO" = paid ]; then
    for i in "${INSTANCES[@]}"; do
        grep -q "webhooks on" "$OUT_DIR/app-$i.log" || log "WARNING: the log of \"$i\" does not say \"webhooks on\""
    done
fi

# ---------------------------------------------------------------- tenants, keys, plans
# setup_tenant <instance> <base URL> <n> <metered 0|1>: registers tenant n, logs in, issues an API key, moves the
# tenant to professional (SCENARIO=paid) and checks its plan as GET /api/me with the key sees it; prints
# "tenant_id<TAB>key". Run by xargs in separate shells (hence the exports below).
setup_tenant() {
    local i=$1 b=$2 n=$3 metered=$4
    local email="bench-${RUN_ID}-$i-$n@example.com" password="Bench-Metering-Pass-${RUN_ID}"
    local tenant token key me plan limit k want_plan want_limit
    tenant=$(call 201 "$b/auth/register" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\",\"company_name\":\"Bench $RUN_ID $i $n\"}" | jq -er .tenant_id)
    token=$(call 200 "$b/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -er .access_token)
    key=$(call 201 "$b/api/api-keys" -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
        -d '{"name":"bench","scopes":["users:read"]}' | jq -er .key)
    if [ "$SCENARIO" = paid ]; then
        post_subscription_event "$b" "$WEBHOOK_SECRET" "evt_bench_${RUN_ID}_${i}_$n" "sub_bench_$n" "$tenant" \
            professional_month
        want_plan=professional; want_limit=$PLAN_RPM
    else
        want_plan=free; want_limit=100000000
    fi
    # the plan as the read side and (metered) the rate limiter see it; the credential cache follows within seconds
    for k in $(seq 1 60); do
        me=$(curl -s -D "$DATA_DIR/headers-$i-$n" "$b/api/me" -H "X-API-Key: $key")
        plan=$(jq -r '.tenant.plan // empty' <<<"$me" 2>/dev/null || true)
        limit=$(tr -d '\r' <"$DATA_DIR/headers-$i-$n" | awk -F': ' 'tolower($1) == "x-ratelimit-limit" { print $2 }')
        if [ "$plan" = "$want_plan" ] && { [ "$metered" = 0 ] || [ "$limit" = "$want_limit" ]; }; then break; fi
        [ "$k" -lt 60 ] || die "tenant $n of \"$i\" ($tenant): plan '${plan}', X-RateLimit-Limit '${limit}' after 30 s (want $want_plan, $want_limit): $me"
        sleep 0.5
    done
    [ "$metered" = 0 ] || [ -n "$limit" ] || die "tenant $n of \"$i\": no X-RateLimit-Limit header on a metered call"
    [ "$metered" = 1 ] || [ -z "$limit" ] || die "tenant $n of \"$i\": X-RateLimit-Limit on the unmetered instance"
    rm -f "$DATA_DIR/headers-$i-$n"
    printf '%s\t%s\n' "$tenant" "$key"
}
export -f setup_tenant post_subscription_event call log die
export RUN_ID SCENARIO WEBHOOK_SECRET DATA_DIR PLAN_RPM
declare -A KEYS TENANT_KEYS
SETUP_T0=$(date +%s)
log "setting up $TENANTS tenant(s) on each instance, $PARALLEL at a time"
for i in "${INSTANCES[@]}"; do
    metered=0; [ "$i" = on ] && metered=1
    seq 1 "$TENANTS" | sed "s|^|$i ${BASE[$i]} |; s|$| $metered|"
done | xargs -P "$PARALLEL" -L 1 bash -c 'set -eo pipefail; setup_tenant "$0" "$@" | sed "s|^|$0\t|"' >"$OUT_DIR/tenants.tsv" \
    || die "setting up the tenants failed"
for i in "${INSTANCES[@]}"; do
    TENANT_KEYS[$i]="$OUT_DIR/tenants-$i.tsv"
    KEYS[$i]="$OUT_DIR/keys-$i.txt"
    awk -F'\t' -v i="$i" '$1 == i { print $2 "\t" $3 }' "$OUT_DIR/tenants.tsv" | sort >"${TENANT_KEYS[$i]}"
    cut -f2 "${TENANT_KEYS[$i]}" >"${KEYS[$i]}"
    [ "$(cut -f1 "${TENANT_KEYS[$i]}" | sort -u | wc -l)" = "$TENANTS" ] || die "\"$i\": expected $TENANTS distinct tenants"
    [ "$(sort -u "${KEYS[$i]}" | wc -l)" = "$TENANTS" ] || die "\"$i\": expected $TENANTS distinct keys"
done
# the same, as the databases see it: every tenant on its plan; every event applied, once
sql() { psql_ -d "${DB[$1]}" -Atqc "$2"; }
for i in "${INSTANCES[@]}"; do
    want=professional; [ "$SCENARIO" = raised ] && want=free
    plans=""
    for n in $(seq 1 30); do   # the tenants read table is built by a projection
        plans=$(sql "$i" "SELECT plan || ' ' || COUNT(*) FROM tenants GROUP BY plan ORDER BY plan" | tr '\n' ' ')
        [ "$plans" = "$want $TENANTS " ] && break
        sleep 1
    done
    [ "$plans" = "$want $TENANTS " ] || die "\"$i\": tenants by plan: ${plans:-none} (want $want $TENANTS)"
    if [ "$SCENARIO" = paid ]; then
        applied=$(sql "$i" "SELECT COUNT(*) FROM stripe_events WHERE outcome = 'applied: plan professional' AND attempts = 1")
        [ "$applied" = "$TENANTS" ] || die "\"$i\": $applied Stripe events applied (professional), want $TENANTS"
    fi
    log "\"$i\": $TENANTS tenant(s) on $want, one API key each (${KEYS[$i]})"
done
SETUP_S=$(( $(date +%s) - SETUP_T0 ))
log "set-up took $SETUP_S s"
[ "$REST" = 1 ] && [ "$SCENARIO" = paid ] && PACED=1 || PACED=0

hold() {
    log "holding; interrupt (^C, or kill -INT $$) to stop the apps and clean up"
    for i in "${INSTANCES[@]}"; do
        echo "$i: ${BASE[$i]}  management ${MBASE[$i]}  pid ${APP_PID[$i]}  database ${DB[$i]}  keys ${KEYS[$i]}  tenants and keys ${TENANT_KEYS[$i]}"
    done
    echo "e.g. wrk -t1 -c16 -d20s -s $OUT_DIR/rotate-keys.lua ${BASE[on]}/api/me   (KEYS_FILE=${KEYS[on]})"
    sleep infinity &
    HOLD_PID=$!
    wait "$HOLD_PID"
}

# ---------------------------------------------------------------- wrk
ROTATE_LUA="$OUT_DIR/rotate-keys.lua"
cat >"$ROTATE_LUA" <<'LUA'
-- GET with an X-API-Key header taken in rotation from KEYS_FILE (one key a line): each request the next key.
-- The requests are built once, in init(); request() only picks the next one. response() tallies the answers other
-- than 2xx by status (about 1.3 µs of wrk's CPU a request). One machine-readable line at the end.
local keys_file = os.getenv("KEYS_FILE")
local threads = {}
local reqs, n, next_i = {}, 0, 0
tally = {}

function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end

function init(args)
  for key in io.lines(keys_file) do
    if key ~= "" then
      local headers = {}
      for name, value in pairs(wrk.headers) do headers[name] = value end
      headers["X-API-Key"] = key
      n = n + 1
      reqs[n] = wrk.format("GET", wrk.path, headers)
    end
  end
  if n == 0 then error("no keys in " .. tostring(keys_file)) end
  next_i = (first or 0) % n   -- threads start on different keys
end

function request()
  next_i = next_i % n + 1
  return reqs[next_i]
end

function response(status, headers, body)
  if status < 200 or status > 299 then tally[status] = (tally[status] or 0) + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  local s429, other, statuses = 0, 0, ""
  local all = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("tally") or {}) do all[status] = (all[status] or 0) + count end
  end
  for status, count in pairs(all) do
    if status == 429 then s429 = s429 + count else other = other + count end
    statuses = statuses .. status .. ":" .. count .. ","
  end
  io.write(string.format(
    "RESULT requests=%d duration_us=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non_2xx=%d "
    .. "mean_us=%.1f stdev_us=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d s429=%d other_non_2xx=%d statuses=%s\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    s429, other, statuses == "" and "-" or statuses))
end
LUA

if [ "$HOLD" = 1 ]; then hold; exit 0; fi

prometheus() { curl -s --max-time 10 "${MBASE[$1]}/actuator/prometheus"; }
# the server's count of responses with a status, over all URIs (a refusal is answered before any handler)
server_status_count() {   # server_status_count <instance> <status>
    prometheus "$1" | awk -v s="status=\"$2\"" '/^http_server_requests_seconds_count\{/ && index($0, s) { n += $NF }
        END { printf "%d\n", n }'
}
server_me_200s() {   # GET /api/me answered 200
    prometheus "$1" | awk '/^http_server_requests_seconds_count\{/ && /method="GET"/ && /status="200"/ && /uri="\/api\/me"/ \
        { n += $NF } END { printf "%d\n", n }'
}
compile_ms() {   # the instance's just-in-time compilation time so far (ms; jvm.compilation.time)
    prometheus "$1" | awk '/^jvm_compilation_time_ms_total/ { n += $NF } END { printf "%d\n", n }'
}
projection_lag() {   # p50 p99 max (seconds) count
    prometheus "$1" | awk '
        /^catalytic_usage_projection_lag_seconds\{/ && /quantile="0.5"/  { p50 = $NF }
        /^catalytic_usage_projection_lag_seconds\{/ && /quantile="0.99"/ { p99 = $NF }
        /^catalytic_usage_projection_lag_seconds_max/   { max = $NF }
        /^catalytic_usage_projection_lag_seconds_count/ { n = $NF }
        END { printf "%s %s %s %s\n", p50 == "" ? "?" : p50, p99 == "" ? "?" : p99, max == "" ? "?" : max, n == "" ? "?" : n }'
}
# CPU time (clock ticks, user + system) of the processes involved, read at once so that the intervals agree:
# SNAP_PIDS (set before each run by snap_pids, outside the measured interval) lists "tag:pid" for the two apps, the
# PostgreSQL backends serving their databases, and a Redis server on this machine (shared: other users' commands
# count too)
snap_pids() {
    local j p
    SNAP_PIDS=""
    for j in "${INSTANCES[@]}"; do
        SNAP_PIDS="$SNAP_PIDS app_$j:${APP_PID[$j]}"
        for p in $(pgrep -f "postgres: .* ${DB[$j]} " || true); do SNAP_PIDS="$SNAP_PIDS pg_$j:$p"; done
    done
    for p in $(pgrep -x redis-server || true); do SNAP_PIDS="$SNAP_PIDS redis:$p"; done
}
snap() {   # prints: ms machine_busy app_on app_off pg_on pg_off redis (ticks; the machine's over all cores)
    local ms; ms=$(date +%s%3N)
    awk -v specs="$SNAP_PIDS" -v ms="$ms" 'BEGIN {
        getline l < "/proc/stat"; split(l, c, " "); busy = c[2] + c[3] + c[4] + c[7] + c[8]
        n = split(specs, s, " ")
        for (k = 1; k <= n; k++) { split(s[k], t, ":"); f = "/proc/" t[2] "/stat"
            if ((getline l < f) > 0) { sub(/^.*\) /, "", l); split(l, x, " "); v[t[1]] += x[12] + x[13] }; close(f) }
        printf "%s %d %d %d %d %d %d\n", ms, busy, v["app_on"], v["app_off"], v["pg_on"], v["pg_off"], v["redis"] }'
}
NOW_MS() { date +%s%3N; }
CLK_TCK=$(getconf CLK_TCK)
# CPU ticks of each thread of a process by what the thread does (its name): "tid<TAB>group<TAB>ticks" lines
thread_ticks() {
    awk 'function group(n) {
            if (n ~ /^http-nio/) return "Tomcat (request threads, poller)"
            if (n == "usage-journal") return "usage journal writer"
            if (n == "usage-shipper") return "usage shipper"
            if (n ~ /^(WorkPackage|Coordinator)\[usa/) return "usage projection"
            if (n ~ /^(WorkPackage|Coordinator)\[|^EmbeddedEventSt/) return "other event processors"
            if (n ~ /^lettuce/) return "Redis client (Lettuce)"
            if (n ~ /Compiler/) return "JIT compilers"
            if (n ~ /^(GC |G1 )/) return "garbage collector"
            return "other threads" }
        FNR == 1 { l = $0; a = index(l, "("); b = match(l, /\) [A-Za-z] /); r = substr(l, b + 2); split(r, x, " ")
            t = FILENAME; sub(/\/stat$/, "", t); sub(/^.*\//, "", t)
            printf "%s\t%s\t%d\n", t, group(substr(l, a + 1, b - a - 1)), x[12] + x[13] }' /proc/"$1"/task/*/stat 2>/dev/null
}

# ---- the tokens left in each tenant's bucket on the metered instance (SCENARIO=paid), as the plan defines them:
# every tenant takes the same share of a run's admitted calls (the keys rotate); the bucket refills PLAN_RPM/60 a
# second up to PLAN_RPM. At the end of the set-up the buckets count as empty: a tenant moved from free to
# professional keeps the tokens its free bucket had left (under 60) and fills up to 1,200 at the new rate, which
# takes up to a minute.
LEVEL=0
LEVEL_AT=$(NOW_MS)
level_now() { awk -v l="$LEVEL" -v t0="$LEVEL_AT" -v t1="$(NOW_MS)" -v cap="$PLAN_RPM" \
    'BEGIN { l += (t1 - t0) / 1000 * cap / 60; printf "%.1f\n", (l > cap ? cap : l) }'; }
rest_until_full() {
    local l wait
    l=$(level_now)
    wait=$(awk -v l="$l" -v cap="$PLAN_RPM" 'BEGIN { w = (cap - l) / (cap / 60); printf "%d\n", (w > 0 ? w + 1 : 0) }')
    if [ "$wait" -gt 0 ]; then
        log "resting ${wait} s: each tenant's bucket holds about ${l%.*} of $PLAN_RPM tokens"
        sleep "$wait"
        RESTED=$((RESTED + wait))
    fi
}
RESTED=0
after_metered_run() {   # after_metered_run <admitted calls> <run start ms> <run end ms> <duration s>
    local l
    l=$(level_now)   # (the refill during the run is added here, the calls taken below)
    read -r LEVEL WARN <<<"$(awk -v l="$l" -v n="$1" -v t="$TENANTS" -v cap="$PLAN_RPM" -v w0="$2" -v w1="$3" -v d="$4" '
        BEGIN { l -= n / t; if (l < 0) l = 0
                rate = n / ((w1 - w0) / 1000)                     # req/s over the run
                drain = (rate / t - cap / 60) * d                 # net tokens a tenant loses in one run
                printf "%.1f %d\n", l, (drain > 0.9 * cap) }')"
    LEVEL_AT=$(NOW_MS)
    [ "$WARN" = 0 ] || log "WARNING: at this rate a ${4} s run takes over 90 % of each tenant's bucket: lower DURATION or raise TENANTS"
}

# the profiled run: round 1, metered instance, first connection count. jcmd hands the options to the agent as one
# quoted argument.
ap() { jcmd "$1" JVMTI.agent_load "$ASYNC_PROFILER_LIB" "\"$2\""; }
profile_start() {   # profile_start <pid> <file stem> <seconds>
    # JFR_OPTIONS is split into words on purpose
    # shellcheck disable=SC2086
    case "$PROFILE" in
        jfr)   jcmd "$1" JFR.start name=metering settings=profile $JFR_OPTIONS duration="${3}s" filename="$2.jfr" >"$2.jcmd.txt" 2>&1 \
                   || log "WARNING: JFR.start failed: $(cat "$2.jcmd.txt")" ;;
        async) ap "$1" "start,event=$PROFILE_EVENT,interval=1ms" >"$2.jcmd.txt" 2>&1 \
                   || log "WARNING: starting async-profiler failed: $(cat "$2.jcmd.txt")" ;;
    esac
}
profile_stop() {   # profile_stop <pid> <file stem>
    case "$PROFILE" in
        jfr)   local n; for n in $(seq 1 60); do [ -s "$2.jfr" ] && break; sleep 1; done ;;   # it ends by itself
        async) ap "$1" "stop,file=$2.collapsed,collapsed" >>"$2.jcmd.txt" 2>&1
               ap "$1" "dump,file=$2.html" >>"$2.jcmd.txt" 2>&1 ;;
    esac
}
# JFR's first recording in a JVM instruments JDK classes (the socket and file events), which throws away compiled
# code that depends on them: a recording during the first warm-up run takes that cost out of the profiled run.
jfr_prime() {   # jfr_prime <pid> <seconds>
    jcmd "$1" JFR.start name=prime settings=profile duration="${2}s" >"$OUT_DIR/jfr-prime.jcmd.txt" 2>&1 \
        || log "WARNING: JFR.start (warm-up) failed: $(cat "$OUT_DIR/jfr-prime.jcmd.txt")"
}

RUNS="$OUT_DIR/runs.txt"   # every wrk run, warm-up included
: >"$RUNS"
THREADS="$OUT_DIR/threads.txt"   # every wrk run: "label instance conns<TAB>thread group<TAB>app CPU µs/req"
: >"$THREADS"
# run_wrk <instance> <connections> <seconds> <label>; appends one line to $RUNS and leaves it in RUN_LINE (not to be
# run in a subshell: it keeps the bucket levels):
#   label instance conns req/s(2xx) p50_us p99_us mean_us app_cpu_us/req pg_cpu_us/req machine_busy_% non_2xx(wrk:
#   status > 399) 429s(server) socket_errors requests profiled(0/1) 429s(wrk's tally) other_non_2xx(wrk's tally)
#   redis_cpu_us/req other_processes_cpu_%_of_a_core wrk_cpu_us/req jit_compile_ms(of the instance, during the run)
run_wrk() {
    local i=$1 c=$2 s=$3 label=$4 out="$OUT_DIR/wrk-$4-$1-c$2.txt" profiled=0 stem
    local a0 a1 p0 p1 b0 b1 w0 w1 r0 r1 j0 j1 d0 d1 o0 o1 ao0 ao1 af0 af1 po0 po1 pf0 pf1 wrk_user wrk_sys
    if [ "$i" = on ] && [ "$PACED" = 1 ]; then rest_until_full; fi
    if [ -n "$PROFILE" ] && [ "$label" = round1 ] && [ "$i" = on ] && [ "$c" = "$PROFILE_CONNS" ]; then
        profiled=1; stem="$OUT_DIR/profile-metered-round1-c$c"
        profile_start "${APP_PID[$i]}" "$stem" "$((s + 1))"
    fi
    if [ "$PROFILE" = jfr ] && [ "$label" = warmup1 ] && [ "$i" = on ] && [ "$c" = "${CONN_LIST[0]}" ]; then
        jfr_prime "${APP_PID[$i]}" "$s"
    fi
    r0=$(server_status_count "$i" 429)
    j0=$(compile_ms "$i")
    snap_pids
    read -r w0 b0 ao0 af0 po0 pf0 d0 <<<"$(snap)"
    thread_ticks "${APP_PID[$i]}" >"$DATA_DIR/threads0"
    KEYS_FILE=${KEYS[$i]} timeout $((s + 30)) /usr/bin/time -f "%U %S" -o "$out.cpu" wrk -t "$WRK_THREADS" -c "$c" \
        -d "${s}s" --timeout 5s --latency -s "$ROTATE_LUA" "${BASE[$i]}/api/me" >"$out" 2>&1 || die "wrk failed: $(cat "$out")"
    read -r w1 b1 ao1 af1 po1 pf1 d1 <<<"$(snap)"
    thread_ticks "${APP_PID[$i]}" >"$DATA_DIR/threads1"
    read -r wrk_user wrk_sys <"$out.cpu"
    r1=$(server_status_count "$i" 429)
    j1=$(compile_ms "$i")
    if [ "$i" = on ]; then a0=$ao0 a1=$ao1 p0=$po0 p1=$po1; else a0=$af0 a1=$af1 p0=$pf0 p1=$pf1; fi
    o0=$((ao0 + af0 + po0 + pf0)); o1=$((ao1 + af1 + po1 + pf1))
    [ "$profiled" = 1 ] && profile_stop "${APP_PID[$i]}" "$stem"
    local line; line=$(grep '^RESULT ' "$out") || die "no RESULT line in $out"
    local requests duration_us connect_errors read_errors write_errors timeouts non_2xx mean_us stdev_us p50_us p90_us p99_us max_us \
        s429 other_non_2xx statuses
    eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^/local /')"
    if [ "$i" = on ] && [ "$PACED" = 1 ]; then after_metered_run $((requests - non_2xx)) "$w0" "$w1" "$s"; fi
    awk -v l="$label" -v i="$i" -v c="$c" -v n="$requests" -v bad="$non_2xx" -v us="$duration_us" -v p50="$p50_us" \
        -v p99="$p99_us" -v mean="$mean_us" -v da=$((a1 - a0)) -v dp=$((p1 - p0)) -v db=$((b1 - b0)) -v tck="$CLK_TCK" \
        -v cores="$(nproc)" -v wall=$((w1 - w0)) -v r429=$((r1 - r0)) -v prof="$profiled" \
        -v sock=$((connect_errors + read_errors + write_errors + timeouts)) -v w429="$s429" -v wother="$other_non_2xx" \
        -v dr=$((d1 - d0)) -v dour=$((o1 - o0)) -v wcpu="$wrk_user $wrk_sys" -v jit=$((j1 - j0)) \
        'BEGIN { split(wcpu, w, " "); wk = w[1] + w[2]                 # seconds
                 other = db / tck - dour / tck - dr / tck - wk         # everything else on the machine, seconds
                 printf "%s %s %s %.1f %d %d %.1f %.1f %.1f %.0f %d %d %d %d %d %d %d %.1f %.0f %.1f %d\n", l, i, c,
                 (n - bad) / (us / 1e6), p50, p99, mean, (da / tck) * 1e6 / n, (dp / tck) * 1e6 / n,
                 100 * (db / tck) / (wall / 1e3 * cores), bad, r429, sock, n, prof, w429, wother, (dr / tck) * 1e6 / n,
                 100 * (other > 0 ? other : 0) / (wall / 1e3), wk * 1e6 / n, jit }' >"$DATA_DIR/run-line"
    RUN_LINE=$(cat "$DATA_DIR/run-line")
    # the instance's CPU per request by thread group (threads that ended during the run are not counted)
    awk -F'\t' -v n="$requests" -v tck="$CLK_TCK" -v pre="$label $i $c" 'NR == FNR { b[$1] = $3; next }
        { d[$2] += $3 - b[$1] } END { for (g in d) printf "%s\t%s\t%.1f\n", pre, g, d[g] / tck * 1e6 / n }' \
        "$DATA_DIR/threads0" "$DATA_DIR/threads1" >>"$THREADS"
    echo "$RUN_LINE" >>"$RUNS"
    log "$RUN_LINE"
}

UPTIME_BEFORE=$(uptime)
log "machine: $(nproc) cores; before the runs: $UPTIME_BEFORE"
APP_PIDS_RE=$(IFS='|'; echo "${APP_PID[*]}")
others=$(ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk -v me="^($APP_PIDS_RE)\$" '$2 !~ me && $1 > 20' | head -5)
[ -z "$others" ] || log "WARNING: other processes are busy, the figures will be disturbed: $(echo "$others" | tr '\n' ';')"
log "scenario $SCENARIO: $TENANTS tenant(s); connections ${CONN_LIST[*]}; $WARMUP_ROUNDS warm-up round(s) of ${WARMUP} runs, $ROUNDS round(s) of ${DURATION} runs; $WRK_THREADS wrk thread(s)"
RESULTS="$OUT_DIR/results.txt"
LAGS="$OUT_DIR/lag.txt"
: >"$RESULTS"
: >"$LAGS"
T_RUNS0=$(date +%s)
for r in $(seq 1 $((WARMUP_ROUNDS + ROUNDS))); do
    if [ "$r" -le "$WARMUP_ROUNDS" ]; then label="warmup$r"; s=$WARMUP_S; m=$r
    else m=$((r - WARMUP_ROUNDS)); label="round$m"; s=$DURATION_S; fi
    # warm-up rounds start with "off" (its first run is the metered instance's first rest), measured rounds with "on"
    [ "$r" -le "$WARMUP_ROUNDS" ] && m=$((m + 1))
    order=(on off); [ $((m % 2)) = 0 ] && order=(off on)
    log "$label (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    for c in "${CONN_LIST[@]}"; do
        for i in "${order[@]}"; do
            log "$label: $i, $c connections, ${s} s"
            run_wrk "$i" "$c" "$s" "$label"
            if [[ "$label" == round* ]]; then
                echo "$RUN_LINE" >>"$RESULTS"
                if [ "$i" = on ]; then echo "$label $c $(projection_lag on)" >>"$LAGS"; fi
            fi
        done
    done
done
T_RUNS=$(( $(date +%s) - T_RUNS0 ))
UPTIME_AFTER=$(uptime)
log "after the runs: $UPTIME_AFTER"

# ---------------------------------------------------------------- usage log of the metered instance
# every metered GET /api/me answered 200 (set-up, warm-up and rounds) must have one usage_logs row once the usage
# projection has caught up
usage_rows() {
    sql on "SELECT COUNT(*) || ' ' || (COUNT(*) - COUNT(DISTINCT id)) FROM usage_logs WHERE endpoint = '/api/me' AND status = 200"
}
log "waiting for the usage projection of \"on\" to catch up"
last=""; same=0
for n in $(seq 1 180); do
    now=$(usage_rows)
    if [ "$now" = "$last" ]; then same=$((same + 1)); [ "$same" -ge 5 ] && break; else same=0; fi
    last=$now
    sleep 1
done
read -r USAGE_ROWS USAGE_DUPS <<<"$now"
SERVER_200=$(server_me_200s on)
FINAL_LAG=$(projection_lag on)

# ---------------------------------------------------------------- report
SUMMARY="$OUT_DIR/summary.txt"
{
    echo
    if [ "$SCENARIO" = paid ]; then
        echo "metering benchmark, scenario paid (what a user meets): $TENANTS tenants on professional ($PLAN_RPM requests/minute,"
        echo "100,000 calls/month; moved there by signed Stripe events), one API key each, GET /api/me with the keys in rotation"
    else
        echo "metering benchmark, scenario raised limits (not what a user meets): one tenant on the free plan, raised on the"
        echo "metered instance to 100,000,000 requests/minute and no monthly quota; GET /api/me with its API key"
    fi
    echo "two instances of the same jar: metered (metering on, $( [ "$SCENARIO" = paid ] && echo "default settings" || echo "limits raised")) and unmetered (catalytic.metering.enabled=false)"
    echo "source: $(cat "$OUT_DIR/source.txt" 2>/dev/null || echo "existing $ROOT/deploy/target/catalytic.jar")"
    [ -z "$APP_ARGS" ] || echo "extra options of both apps (APP_ARGS): $APP_ARGS"
    echo "wrk -t$WRK_THREADS, ${DURATION} a run; $WARMUP_ROUNDS warm-up round(s) of ${WARMUP} runs dropped, then $ROUNDS rounds; each round: per connection count, one run on each instance (metered first in odd rounds)"
    echo "$(nproc) cores, $(java -version 2>&1 | head -1); set-up ${SETUP_S} s, runs ${T_RUNS} s$( [ "$PACED" = 1 ] \
        && echo " (of which ${RESTED} s resting so that every metered run starts with full buckets)")"
    echo "before the runs: $UPTIME_BEFORE"
    echo "after the runs:  $UPTIME_AFTER"
} | tee "$SUMMARY"
awk -v conns="${CONN_LIST[*]}" -v rounds="$ROUNDS" '
  function median(s,   a, k, i, j, t) {   # median of a " "-separated list
    k = split(s, a, " ")
    for (i = 2; i <= k; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
  function list(s, f, scale,   a, k, i, out) {
    k = split(s, a, " "); out = ""
    for (i = 1; i <= k; i++) out = out (i > 1 ? " / " : "") sprintf(f, a[i] / scale)
    return out }
  function sum(s,   a, k, i, t) { k = split(s, a, " "); t = 0; for (i = 1; i <= k; i++) t += a[i]; return t }
  function add(name, k, v) { vals[name, k] = vals[name, k] (vals[name, k] == "" ? "" : " ") v }
  { k = $2 ":" $3; add("rps", k, $4); add("p50", k, $5); add("p99", k, $6); add("cpu", k, $8); add("pg", k, $9)
    add("busy", k, $10); add("bad", k, $11); add("r429", k, $12); add("sock", k, $13); add("prof", k, $15)
    add("w429", k, $16); add("wother", k, $17); add("redis", k, $18); add("others", k, $19); add("wrk", k, $20)
    add("jit", k, $21)
    rnd[$2 ":" $3 ":" $1] = $4 }
  END {
    nc = split(conns, cs, " ")
    for (j = 1; j <= nc; j++) {
      c = cs[j]; on = "on:" c; off = "off:" c
      if (vals["rps", on] == "" || vals["rps", off] == "") continue
      ratios = ""
      for (r = 1; r <= rounds; r++) { x = rnd[on ":round" r]; y = rnd[off ":round" r]
        if (x != "" && y > 0) ratios = ratios (ratios == "" ? "" : " ") (x / y) }
      m_on = median(vals["rps", on]); m_off = median(vals["rps", off])
      printf "\n%d connections: median over %d rounds (then each round, 1 / 2 / ...)\n\n", c, rounds
      printf "| | unmetered | metered | metered/unmetered |\n|---|---|---|---|\n"
      printf "| req/s (2xx) | **%.0f** (%s) | **%.0f** (%s) | **%.2f** (%s) |\n", m_off, list(vals["rps", off], "%.0f", 1),
        m_on, list(vals["rps", on], "%.0f", 1), m_on / m_off, list(ratios, "%.2f", 1)
      printf "| p50 | %.2f ms (%s) | %.2f ms (%s) | |\n", median(vals["p50", off]) / 1000, list(vals["p50", off], "%.2f", 1000),
        median(vals["p50", on]) / 1000, list(vals["p50", on], "%.2f", 1000)
      printf "| p99 | %.2f ms (%s) | %.2f ms (%s) | |\n", median(vals["p99", off]) / 1000, list(vals["p99", off], "%.2f", 1000),
        median(vals["p99", on]) / 1000, list(vals["p99", on], "%.2f", 1000)
      printf "| non-2xx (wrk) | %d (%s) | %d (%s) | |\n", sum(vals["bad", off]), list(vals["bad", off], "%d", 1),
        sum(vals["bad", on]), list(vals["bad", on], "%d", 1)
      printf "| 429 (wrk tally / server count) | %d / %d | %d / %d (%s) | |\n", sum(vals["w429", off]),
        sum(vals["r429", off]), sum(vals["w429", on]), sum(vals["r429", on]), list(vals["w429", on], "%d", 1)
      printf "| other non-2xx (wrk tally) | %d | %d | |\n", sum(vals["wother", off]), sum(vals["wother", on])
      printf "| socket errors, timeouts | %d | %d | |\n", sum(vals["sock", off]), sum(vals["sock", on])
      printf "| app CPU/req | %.0f µs (%s) | %.0f µs (%s) | |\n", median(vals["cpu", off]), list(vals["cpu", off], "%.0f", 1),
        median(vals["cpu", on]), list(vals["cpu", on], "%.0f", 1)
      printf "| PostgreSQL CPU/req | %.0f µs | %.0f µs (%s) | |\n", median(vals["pg", off]), median(vals["pg", on]),
        list(vals["pg", on], "%.0f", 1)
      printf "| Redis CPU/req | %.1f µs | %.1f µs (%s) | |\n", median(vals["redis", off]), median(vals["redis", on]),
        list(vals["redis", on], "%.1f", 1)
      printf "| wrk CPU/req | %.1f µs | %.1f µs | |\n", median(vals["wrk", off]), median(vals["wrk", on])
      printf "| machine busy (2 cores = 100 %%) | %.0f %% | %.0f %% | |\n", median(vals["busy", off]), median(vals["busy", on])
      printf "| CPU of everything else (%% of a core) | %s | %s | |\n", list(vals["others", off], "%.0f", 1),
        list(vals["others", on], "%.0f", 1)
      printf "| just-in-time compilation during the run | %s ms | %s ms | |\n", list(vals["jit", off], "%d", 1),
        list(vals["jit", on], "%d", 1)
      if (sum(vals["prof", on]) > 0) printf "(round 1 of the metered instance was profiled)\n"
      line = line sprintf("%d conns: unmetered %.0f, metered %.0f req/s (ratio %.2f; p50 %.2f ms vs %.2f ms)\n", c, m_off,
        m_on, m_on / m_off, median(vals["p50", on]) / 1000, median(vals["p50", off]) / 1000)
      if (sum(vals["r429", on]) + sum(vals["w429", on]) + sum(vals["bad", on]) + sum(vals["wother", on]) > 0) flag = flag sprintf("%d connections: %d non-2xx, %d answered 429 by the metered instance\n",
        c, sum(vals["bad", on]), sum(vals["r429", on]))
    }
    printf "\n%s", line
    if (flag != "") printf "\n!!! A METERED RUN GOT NON-2xx ANSWERS (a tenant reached its limit?):\n%s", flag
    else printf "no 429 and no other non-2xx answer in any measured run\n"
  }' "$RESULTS" | tee -a "$SUMMARY"
awk -F'\t' -v conns="${CONN_LIST[*]}" '
  function median(s,   a, k, i, j, t) {
    k = split(s, a, " ")
    for (i = 2; i <= k; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
  $1 ~ /^round/ { split($1, h, " "); k = $2 SUBSEP h[2] SUBSEP h[3]; v[k] = v[k] " " $3; g[$2] = 1 }
  END {
    nc = split(conns, cs, " ")
    printf "\napp CPU per request by thread (µs, median of the rounds)\n\n| thread group |"
    for (j = 1; j <= nc; j++) printf " unmetered, %s conns | metered, %s conns |", cs[j], cs[j]
    printf "\n|---|"; for (j = 1; j <= nc; j++) printf "---|---|"; printf "\n"
    ng = 0   # the groups, the most CPU on the metered instance first
    for (x in g) { w = median(v[x, "on", cs[1]]); for (k = ng; k >= 1 && wt[k] < w; k--) { gs[k + 1] = gs[k]; wt[k + 1] = wt[k] }
      gs[k + 1] = x; wt[k + 1] = w; ng++ }
    for (q = 1; q <= ng; q++) {
      x = gs[q]
      printf "| %s |", x
      for (j = 1; j <= nc; j++) {
        off = v[x, "off", cs[j]]; on = v[x, "on", cs[j]]
        printf " %s | %s |", off == "" ? "–" : sprintf("%.1f", median(off)), on == "" ? "–" : sprintf("%.1f", median(on))
      }
      printf "\n"
    }
  }' "$THREADS" | tee -a "$SUMMARY"
{
    warm429=$(awk '$1 ~ /^warmup/ && $2 == "on" { n += $12 } END { print n + 0 }' "$RUNS")
    [ "$warm429" = 0 ] || echo "warm-up: $warm429 answers 429 on the metered instance"
    echo
    echo "usage log of the metered instance (GET /api/me answered 200, all tenants, set-up included):"
    echo "    200s counted by the server: $SERVER_200; usage_logs rows: $USAGE_ROWS; rows minus distinct ids: $USAGE_DUPS"
    if [ "$USAGE_ROWS" = "$SERVER_200" ] && [ "$USAGE_DUPS" = 0 ]; then
        echo "    => every acknowledged call is in the usage log once"
    else
        echo "    => MISMATCH: check the app log"
    fi
    echo "usage projection lag (p50 p99 max in s, calls timed), right after each metered run:"
    sed 's/^/    /' "$LAGS"
    echo "    after catching up: $FINAL_LAG"
    [ -z "$PROFILE" ] || echo "profile of the metered instance, round 1, ${PROFILE_CONNS} connections: $(ls "$OUT_DIR"/profile-* 2>/dev/null | grep -v jcmd | tr '\n' ' ')"
} | tee -a "$SUMMARY"

# ---------------------------------------------------------------- profile: top frames
# JFR: bench/load/JfrTop.java (CPU samples by top frame and by first com.catalytic frame; parks, monitor waits and
# socket reads by thread group, site and what the site waits in). async-profiler: the same two views of its samples.
collapsed_top() {   # collapsed_top <file.collapsed>: the same two views of async-profiler's samples
    echo "== top frame (self), share of the samples"
    awk '{ n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";"); x = f[k]; gsub(/\//, ".", x); c[x] += n }
        END { for (x in c) printf "%d\t%s\n", c[x], x }' "$1" | weighted_share
    echo
    echo "== first com.catalytic frame from the top (inclusive), share of the samples"
    awk '{ n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";"); x = "(no com.catalytic frame)"
           for (i = k; i >= 1; i--) if (f[i] ~ /^com\/catalytic/) { x = f[i]; break }
           gsub(/\//, ".", x); c[x] += n }
        END { for (x in c) printf "%d\t%s\n", c[x], x }' "$1" | weighted_share
}
weighted_share() {   # "count<TAB>name" lines: the 25 largest shares
    sort -t$'\t' -k1,1rn | awk -F'\t' '{ c[NR] = $1; n[NR] = $2; t += $1 }
        END { for (i = 1; i <= NR && i <= 25; i++) printf "%6.2f %%  %s\n", 100 * c[i] / t, n[i]; printf "(%d samples)\n", t }'
}
STEM="$OUT_DIR/profile-metered-round1-c$PROFILE_CONNS"
if [ "$PROFILE" = jfr ]; then
    if [ -s "$STEM.jfr" ]; then
        java "$ROOT/bench/load/JfrTop.java" "$STEM.jfr" >"$STEM-top.txt" 2>&1 || log "WARNING: could not summarise $STEM.jfr"
        log "top frames: $STEM-top.txt"
    else
        log "WARNING: no recording at $STEM.jfr"
    fi
elif [ "$PROFILE" = async ]; then
    if [ -s "$STEM.collapsed" ]; then
        collapsed_top "$STEM.collapsed" >"$STEM-top.txt" 2>&1 || log "WARNING: could not summarise $STEM.collapsed"
        log "top frames: $STEM-top.txt (flame graph: $STEM.html)"
    else
        log "WARNING: no profile at $STEM.collapsed"
    fi
fi

if [ "$HOLD" = end ]; then hold; fi
