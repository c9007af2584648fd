#!/usr/bin/env bash
# Load benchmark of API-key authentication over loopback (docs/PERFORMANCE.md, "API-key authentication").
#
# Starts the real application (deploy/target/catalytic.jar) on a scratch PostgreSQL database that this script
# creates and drops, with Redis under a key prefix of its own (deleted at the end), registers a user, logs in,
# issues an API key, then measures with wrk, same duration and connections for each, interleaved:
#   (a) GET /api/plans                    public, no authentication, no database
#   (b) GET /api/me   with X-API-Key      API-key authentication (cached), then the handler's read-table query
#   (c) PUT /api/plans                    public path, answered 405 by Spring MVC: no authentication, no database
#   (d) PUT /api/me   with X-API-Key      the authentication filter runs in full (key, owner, tenant checks), then
#                                         the same 405: (d) vs (c) isolates the cost of API-key authentication
#   (e) GET /api/me   with Bearer JWT     only when WITH_JWT=1: access-token authentication, same handler as (b)
# Order: a warm-up of each, then ROUNDS rounds of a, b, c, d[, e]. Every request goes to 127.0.0.1 and nowhere
# else; every wrk run is bounded by its duration. The apps are stopped and the scratch state removed on any exit.
#
# METERING=both runs two instances of the same jar side by side, "on" (metering on, limits raised) and "off"
# (metering off), each with its own scratch database, Redis prefix, data folder, user and key, and interleaves
# their cases in every round (on first in odd rounds, off first in even ones), so that the metered/unmetered
# ratio comes from one run on one machine state. Whenever an instance meters with raised limits ("on"), the
# script also checks the usage log: the rows of GET /api/me answered 200 that appear in usage_logs during the
# wrk runs (warm-up included) against the 2xx responses wrk counted and the 200s the server counted
# (http_server_requests), after the usage projection has caught up; and it reads the projection lag
# (catalytic_usage_projection_lag_seconds, p50/p99) from /actuator/prometheus right after every metered (b) round.
# Raised limits skip the monthly quota check and let the node lease tokens: not what a user meets. What metering costs
# on paid plans (many tenants on professional, keys in rotation, 16 and 64 connections) is bench/load/metering.sh,
# whose SCENARIO=raised is this raised-limits case with GET /api/me alone.
#
# Settings (environment):
#   DURATION=20s WARMUP=30s ROUNDS=2 CONNECTIONS=16 WRK_THREADS=1   wrk runs (durations in whole seconds, "Ns")
#   CASES         the cases measured on each instance (default "a b c d", plus e with WITH_JWT=1; "a b d" with
#                 METERING=both)
#   PORT          HTTP port of the (first) app; the second one takes the next free port (default: the first
#                 free ones from 18700)
#   SOURCE_REF    a commit (e.g. HEAD): build a clean export of it (git archive) in a temporary folder instead of
#                 the working tree, so that uncommitted or concurrent edits never reach the measured jar
#   SKIP_BUILD=1  use the existing deploy/target/catalytic.jar instead of building it (ignored with SOURCE_REF)
#   METERING=on   (default) builds that meter /api calls keep metering on, with the free plan's rate limit and
#                 monthly quota raised out of the way; METERING=off turns metering off (catalytic.metering.enabled);
#                 METERING=both measures on and off in the same run (two instances, see above);
#                 METERING=asis leaves the configuration alone (then the free plan's 60 requests/minute answer
#                 nearly all of (b), (d), (e) with 429, which the report counts as errors).
#                 Builds without metering ignore these settings (and the usage checks then fail).
#   JAVA_OPTS     JVM options of the app (default: -Xms256m -Xmx1g, as deploy/bin/catalytic)
#   PGHOST_=127.0.0.1 PGPORT_=5432 PGUSER_=postgres   the PostgreSQL server (trust auth) to create the databases on
#   REDIS_HOST=127.0.0.1 REDIS_PORT=6379
#   OUT_DIR       where the raw wrk outputs and the app logs are kept (default: a new /tmp/api-key-auth.* folder)
#   WITH_JWT=1    also measure (e)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-30s}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-1}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
WITH_JWT=${WITH_JWT:-0}
METERING=${METERING:-on}
HOST=127.0.0.1   # loopback only, never anything else

RUN_ID="$$_$(date +%s)"
REDIS_PREFIX="bench:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/api-key-auth.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/api-key-auth-data.XXXXXX)
# per instance ("on", "off" or "asis"): pid, database, base URL, credentials
declare -A APP_PID DB BASE MBASE KEY TOKEN EMAIL TENANT
declare -a DBS_CREATED=()

log() { echo "[api-key-auth] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }

# shellcheck source=bench/load/lib.sh
. "$ROOT/bench/load/lib.sh"

cleanup() {
    local rc=$?
    set +e
    local i pid
    for i in "${!APP_PID[@]}"; do
        pid=${APP_PID[$i]}
        if kill -0 "$pid" 2>/dev/null; then
            log "stopping the app \"$i\" (pid $pid)"
            kill "$pid"
            for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
            wait "$pid" 2>/dev/null
        fi
    done
    for i in "${DBS_CREATED[@]}"; do
        log "dropping database $i"
        psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$i\" WITH (FORCE)" >/dev/null
    done
    drop_redis_keys
    rm -rf "$DATA_DIR" "${SRC_DIR:-}"
    log "raw outputs and the app logs: $OUT_DIR"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need wrk wrk
need jq jq
need psql postgresql-client
command -v java >/dev/null || die "java is not on PATH"

case "$METERING" in
    on|off|asis) INSTANCES=("$METERING") ;;
    both)        INSTANCES=(on off) ;;
    *)           die "METERING must be on, off, both or asis" ;;
esac
if [ -z "${CASES:-}" ]; then
    if [ "$METERING" = both ]; then CASES="a b d"; else CASES="a b c d"; fi
    [ "$WITH_JWT" = 1 ] && CASES="$CASES e"
fi
read -r -a CASE_LIST <<<"$CASES"
for c in "${CASE_LIST[@]}"; do [[ "$c" =~ ^[abcde]$ ]] || die "unknown case $c in CASES"; done

# ---------------------------------------------------------------- build
build_private_jar api-key-auth

metering_args() {   # metering_args <instance>
    case "$1" in
        on)   echo "--catalytic.plans.free.requests-per-minute=100000000 --catalytic.plans.free.api-calls-per-month=-1" ;;
        off)  echo "--catalytic.metering.enabled=false" ;;
        asis) echo "" ;;
    esac
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
        while port_in_use "$port"; do port=$((port + 1)); [ "$port" -lt 18800 ] || die "no free port in 18700-18799"; done
    fi
    NEXT_PORT=$((port + 1))
    BASE[$i]="http://$HOST:$port"
    # the metrics are on the management port, on loopback
    local mport=$((port + 100))
    ! port_in_use "$mport" || die "management port $mport is already in use"
    MBASE[$i]="http://127.0.0.1:$mport"
    DB[$i]="bench_tmp_${RUN_ID}_$i"
    log "creating database ${DB[$i]}"
    psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"${DB[$i]}\"" >/dev/null
    DBS_CREATED+=("${DB[$i]}")
    mkdir -p "$DATA_DIR/$i"
    log "starting the app \"$i\" on ${BASE[$i]} (metering args: $(metering_args "$i"))"
    # JAVA_OPTS and the metering arguments are split into words on purpose
    # shellcheck disable=SC2086,SC2046
    DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/${DB[$i]}" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" \
        PORT="$port" MANAGEMENT_PORT="$mport" CATALYTIC_DATA_DIR="$DATA_DIR/$i" \
        java $JAVA_OPTS -jar "$JAR" serve \
        --server.address="$HOST" \
        --catalytic.redis.key-prefix="${REDIS_PREFIX}$i:" \
        --catalytic.auth.max-registrations-per-ip=1000 \
        --catalytic.auth.max-failures-per-ip=1000 \
        $(metering_args "$i") \
        >"$OUT_DIR/app-$i.log" 2>&1 &
    APP_PID[$i]=$!
    local n
    for n in $(seq 1 120); do
        kill -0 "${APP_PID[$i]}" 2>/dev/null || { tail -40 "$OUT_DIR/app-$i.log" >&2; die "the app \"$i\" exited during start-up"; }
        [ "$(curl -s -o /dev/null -w '%{http_code}' "${BASE[$i]}/health" || true)" = 200 ] && break
        [ "$n" -lt 120 ] || die "the app \"$i\" did not answer /health within 120 s"
        sleep 1
    done
    log "app \"$i\" is up after ~${n} s (pid ${APP_PID[$i]})"
}

# ---------------------------------------------------------------- account, token, key
setup_account() {   # setup_account <instance>
    local i=$1 b=${BASE[$1]} password="Bench-Lattice-Pass-${RUN_ID}" me
    EMAIL[$i]="bench-${RUN_ID}-$i@example.com"
    call 201 "$b/auth/register" -H 'Content-Type: application/json' \
        -d "{\"email\":\"${EMAIL[$i]}\",\"password\":\"$password\",\"company_name\":\"Bench $RUN_ID $i\"}" >/dev/null
    TOKEN[$i]=$(call 200 "$b/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"${EMAIL[$i]}\",\"password\":\"$password\"}" | jq -er .access_token)
    KEY[$i]=$(call 201 "$b/api/api-keys" -H 'Content-Type: application/json' -H "Authorization: Bearer ${TOKEN[$i]}" \
        -d '{"name":"bench","scopes":["users:read"]}' | jq -er .key)
    call 200 "$b/api/plans" >/dev/null
    me=$(call 200 "$b/api/me" -H "X-API-Key: ${KEY[$i]}")
    echo "$me" | jq -e ".email == \"${EMAIL[$i]}\"" >/dev/null || die "/api/me with the key is not the user: $me"
    TENANT[$i]=$(echo "$me" | jq -er .tenant.id)
    call 200 "$b/api/me" -H "Authorization: Bearer ${TOKEN[$i]}" >/dev/null
    call 405 -X PUT "$b/api/plans" >/dev/null
    call 401 -X PUT "$b/api/me" >/dev/null                               # the filter does run on PUT /api/me ...
    call 405 -X PUT "$b/api/me" -H "X-API-Key: ${KEY[$i]}" >/dev/null    # ... and lets the key through
    log "app \"$i\": user, access token and API key ${KEY[$i]:0:13}… ready (tenant ${TENANT[$i]})"
}

for i in "${INSTANCES[@]}"; do start_app "$i"; done
for i in "${INSTANCES[@]}"; do setup_account "$i"; done

# ---------------------------------------------------------------- usage log and metrics of a metered instance
# GET /api/me answered 200 in the usage log of the instance's tenant: rows, and rows minus distinct ids
usage_rows() {
    psql_ -d "${DB[$1]}" -Atqc "SELECT COUNT(*) || ' ' || (COUNT(*) - COUNT(DISTINCT id)) FROM usage_logs
        WHERE tenant_id = '${TENANT[$1]}' AND endpoint = '/api/me' AND status = 200"
}
# waits until the usage projection has caught up (the count unchanged for 5 s, at most 180 s); prints rows, dups
usage_settled() {
    local last="" now same=0 n
    for n in $(seq 1 180); do
        now=$(usage_rows "$1")
        if [ "$now" = "$last" ]; then same=$((same + 1)); [ "$same" -ge 5 ] && break; else same=0; fi
        last=$now
        sleep 1
    done
    [ "$same" -ge 5 ] || log "WARNING: the usage log of \"$1\" was still growing after 180 s"
    echo "$now"
}
prometheus() { curl -s --max-time 10 "${MBASE[$1]}/actuator/prometheus"; }
# the server's own count of GET /api/me answered 200
server_200s() {
    prometheus "$1" | awk '/^http_server_requests_seconds_count\{/ && /method="GET"/ && /status="200"/ && /uri="\/api\/me"/ \
        { n += $NF } END { printf "%d\n", n }'
}
# projection lag: p50 p99 max (seconds) count sum
projection_lag() {
    prometheus "$1" | awk '
        /^catalytic_usage_projection_lag_seconds\{/ && /quantile="0.5"/  { p50 = $NF }
        /^catalytic_usage_projection_lag_seconds\{/ && /quantile="0.99"/ { p99 = $NF }
        /^catalytic_usage_projection_lag_seconds_max/   { max = $NF }
        /^catalytic_usage_projection_lag_seconds_count/ { n = $NF }
        /^catalytic_usage_projection_lag_seconds_sum/   { s = $NF }
        END { printf "%s %s %s %s %s\n", p50 == "" ? "?" : p50, p99 == "" ? "?" : p99, max == "" ? "?" : max,
              n == "" ? "?" : n, s == "" ? "?" : s }'
}
CHECK_USAGE=0
if [ -n "${APP_PID[on]:-}" ]; then
    CHECK_USAGE=1
    read -r USAGE0 DUPS0 <<<"$(usage_settled on)"
    SERVER0=$(server_200s on)
    log "usage log of \"on\" before the wrk runs: $USAGE0 rows of GET /api/me 200 ($DUPS0 duplicates); server count $SERVER0"
fi

# ---------------------------------------------------------------- wrk
SUMMARY_LUA="$OUT_DIR/summary.lua"
cat >"$SUMMARY_LUA" <<'LUA'
-- the method per case; one machine-readable line per run; no request()/response() hooks, so wrk keeps its
-- fast path (one pre-built request)
wrk.method = os.getenv("WRK_METHOD") or "GET"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non_2xx=%d "
    .. "mean_us=%.1f stdev_us=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
LUA

# CPU time (clock ticks, user + system) of an app, and of the PostgreSQL backends serving its scratch database
APP_TICKS() { awk '{print $14 + $15}' "/proc/${APP_PID[$1]}/stat"; }
PG_TICKS() {
    local total=0 p
    for p in $(pgrep -f "postgres: .* ${DB[$1]} " || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
OTHER_TICKS() {   # the other instances (idle, or catching up) while one is measured
    local total=0 j
    for j in "${INSTANCES[@]}"; do [ "$j" = "$1" ] || total=$((total + $(APP_TICKS "$j") + $(PG_TICKS "$j"))); done
    echo "$total"
}
BUSY_TICKS() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }   # whole machine, all cores
NOW_MS() { date +%s%3N; }
CLK_TCK=$(getconf CLK_TCK)
declare -A PATH_ METHOD STATUS
PATH_[a]=/api/plans; METHOD[a]=GET; STATUS[a]=2xx
PATH_[b]=/api/me;    METHOD[b]=GET; STATUS[b]=2xx
PATH_[c]=/api/plans; METHOD[c]=PUT; STATUS[c]=405
PATH_[d]=/api/me;    METHOD[d]=PUT; STATUS[d]=405
PATH_[e]=/api/me;    METHOD[e]=GET; STATUS[e]=2xx
header() {   # header <instance> <case>
    case "$2" in
        b|d) echo "X-API-Key: ${KEY[$1]}" ;;
        e)   echo "Authorization: Bearer ${TOKEN[$1]}" ;;
        *)   echo "" ;;
    esac
}
RUNS="$OUT_DIR/runs.txt"   # every wrk run, warm-up included
: >"$RUNS"

# run_wrk <instance> <case> <duration> <label>; appends to $RUNS and prints
#   label instance case req/s p50_us p99_us mean_us app_cpu_us/req pg_cpu_us/req machine_busy_% errors 2xx
#   other_instances_cpu_%_of_a_core
run_wrk() {
    local i=$1 c=$2 d=$3 label=$4 out="$OUT_DIR/wrk-$4-$1-$2.txt" url="${BASE[$1]}${PATH_[$2]}" hdr
    local a0 a1 p0 p1 b0 b1 o0 o1 w0 w1 secs
    hdr=$(header "$i" "$c")
    local args=(-t "$WRK_THREADS" -c "$CONNECTIONS" -d "$d" --timeout 5s --latency -s "$SUMMARY_LUA")
    [ -n "$hdr" ] && args+=(-H "$hdr")
    secs=${d%s}
    a0=$(APP_TICKS "$i"); p0=$(PG_TICKS "$i"); o0=$(OTHER_TICKS "$i"); b0=$(BUSY_TICKS); w0=$(NOW_MS)
    WRK_METHOD=${METHOD[$c]} timeout $((secs + 30)) wrk "${args[@]}" "$url" >"$out" 2>&1 \
        || die "wrk failed: $(cat "$out")"
    w1=$(NOW_MS); a1=$(APP_TICKS "$i"); p1=$(PG_TICKS "$i"); o1=$(OTHER_TICKS "$i"); b1=$(BUSY_TICKS)
    local line; line=$(grep '^RESULT ' "$out") || die "no RESULT line in $out"
    local requests duration_us connect_errors read_errors write_errors timeouts non_2xx mean_us stdev_us p50_us p90_us p99_us max_us
    eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^/local /')"
    # every response must have the expected status: (a) (b) (e) 2xx, (c) (d) all 405 (checked with curl above)
    local unexpected=$non_2xx
    if [ "${STATUS[$c]}" = 405 ]; then
        unexpected=$((requests - non_2xx))
        # wrk counts 405 and, say, 429 alike: check that the case still answers 405 right after the run
        local h=(); [ -n "$hdr" ] && h=(-H "$hdr")
        local now="" n
        for n in 1 2 3; do   # three at once: a token bucket may have refilled by one or two since the run
            now="$now$(curl -s -o /dev/null -w '%{http_code}' -X PUT "${h[@]}" "$url") "
        done
        if [ "$now" != "405 405 405 " ]; then
            log "WARNING: case $i:$c answers $now(not 405) after the run: counting all its responses as errors"
            unexpected=$requests
        fi
    fi
    local errors=$((connect_errors + read_errors + write_errors + timeouts + unexpected))
    awk -v l="$label" -v i="$i" -v c="$c" -v n="$requests" -v us="$duration_us" -v p50="$p50_us" -v p99="$p99_us" \
        -v mean="$mean_us" -v da=$((a1 - a0)) -v dp=$((p1 - p0)) -v db=$((b1 - b0)) -v do_=$((o1 - o0)) \
        -v tck="$CLK_TCK" -v cores="$(nproc)" -v wall=$((w1 - w0)) -v err="$errors" -v ok=$((requests - non_2xx)) \
        'BEGIN { s = us / 1e6; printf "%s %s %s %.1f %d %d %.1f %.1f %.1f %.0f %d %d %.0f\n", l, i, c, n / s, p50, p99,
                 mean, (da / tck) * 1e6 / n, (dp / tck) * 1e6 / n, 100 * (db / tck) / (wall / 1e3 * cores), err, ok,
                 100 * (do_ / tck) / (wall / 1e3) }' | tee -a "$RUNS"
}

APP_PIDS_RE=$(IFS='|'; echo "${APP_PID[*]}")
log "machine: $(nproc) cores; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
others=$(ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk -v me="^($APP_PIDS_RE)\$" '$2 !~ me && $1 > 20' | head -5)
[ -z "$others" ] || log "WARNING: other processes are busy, the figures will be disturbed: $(echo "$others" | tr '\n' ';')"
log "instances: ${INSTANCES[*]}; cases: ${CASE_LIST[*]}"
log "warm-up: ${WARMUP} per case, ${CONNECTIONS} connections, ${WRK_THREADS} wrk thread(s)"
for i in "${INSTANCES[@]}"; do for c in "${CASE_LIST[@]}"; do run_wrk "$i" "$c" "$WARMUP" warmup >/dev/null; done; done
RESULTS="$OUT_DIR/results.txt"
LAGS="$OUT_DIR/lag.txt"
: >"$RESULTS"
: >"$LAGS"
for r in $(seq 1 "$ROUNDS"); do
    order=("${INSTANCES[@]}")
    if [ $((r % 2)) = 0 ] && [ "${#INSTANCES[@]}" = 2 ]; then order=("${INSTANCES[1]}" "${INSTANCES[0]}"); fi
    log "round $r (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    for i in "${order[@]}"; do
        for c in "${CASE_LIST[@]}"; do
            log "round $r, $i:$c: ${DURATION}"
            run_wrk "$i" "$c" "$DURATION" "round$r" | tee -a "$RESULTS" >&2
            if [ "$CHECK_USAGE" = 1 ] && [ "$i" = on ] && [ "$c" = b ]; then
                echo "round$r $(projection_lag on)" | tee -a "$LAGS" >&2   # right after the metered (b) round
            fi
        done
    done
done
log "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
{
    echo
    echo "source: $(cat "$OUT_DIR/source.txt" 2>/dev/null || echo "existing $ROOT/deploy/target/catalytic.jar")"
    echo "metering: $METERING (instances: ${INSTANCES[*]}); $(nproc) cores, $(java -version 2>&1 | head -1); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT_DIR/summary.md"
awk -v dur="$DURATION" -v conns="$CONNECTIONS" -v thr="$WRK_THREADS" -v rounds="$ROUNDS" '
  { k = $2 ":" $3; n[k]++; rps[k] += $4; p50[k] += $5; p99[k] += $6; mean[k] += $7; cpu[k] += $8; pg[k] += $9;
    busy[k] += $10; err[k] += $11; other[k] += $13; per[k] = per[k] sprintf("%s%.0f", (per[k] == "" ? "" : " / "), $4)
    inst[$2] = 1 }
  function r(k) { return rps[k] / n[k] }
  END {
    name["a"] = "(a) GET /api/plans, no auth";  name["b"] = "(b) GET /api/me, X-API-Key"
    name["c"] = "(c) PUT /api/plans → 405, no auth"; name["d"] = "(d) PUT /api/me, X-API-Key → 405"
    name["e"] = "(e) GET /api/me, Bearer JWT"
    printf "\nwrk -t%s -c%s -d%s, %s rounds interleaved after warm-up; figures are means over the rounds\n\n", thr, conns, dur, rounds
    printf "| metering | case | req/s (per round) | req/s mean | latency mean | p50 | p99 | app CPU/req | PostgreSQL CPU/req | machine busy | other instance CPU | errors |\n"
    printf "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    split("on off asis", insts, " "); split("a b c d e", order, " ")
    for (j = 1; j <= 3; j++) for (i = 1; i <= 5; i++) { k = insts[j] ":" order[i]; if (!(k in n)) continue
      printf "| %s | %s | %s | %.0f | %.2f ms | %.2f ms | %.2f ms | %.0f µs | %.0f µs | %.0f %% | %.0f %% of a core | %d |\n",
        insts[j], name[order[i]], per[k], r(k), mean[k] / n[k] / 1000, p50[k] / n[k] / 1000, p99[k] / n[k] / 1000,
        cpu[k] / n[k], pg[k] / n[k], busy[k] / n[k], other[k] / n[k], err[k] }
    print ""
    for (j = 1; j <= 3; j++) { m = insts[j]; if (!(m in inst)) continue
      if ((m ":b") in n && (m ":a") in n) printf "metering %s: ratio b/a (req/s): %.1f %%   (issue 3: >= 60 %%, metering off)\n", m, 100 * r(m ":b") / r(m ":a")
      if ((m ":d") in n && (m ":c") in n) printf "metering %s: ratio d/c (req/s): %.1f %%   (API-key authentication alone)\n", m, 100 * r(m ":d") / r(m ":c")
      if ((m ":d") in n && (m ":a") in n) printf "metering %s: ratio d/a (req/s): %.1f %%\n", m, 100 * r(m ":d") / r(m ":a")
      if ((m ":e") in n && (m ":a") in n) printf "metering %s: ratio e/a (req/s): %.1f %%\n", m, 100 * r(m ":e") / r(m ":a") }
    if (("on:b") in n && ("off:b") in n) printf "GET /api/me metered/unmetered (b on / b off): %.1f %%   (issue 4: >= 50 %%)\n", 100 * r("on:b") / r("off:b")
    if (("on:d") in n && ("off:d") in n) printf "PUT /api/me → 405 metered/unmetered (d on / d off): %.1f %%\n", 100 * r("on:d") / r("off:d")
    if (("on:a") in n && ("off:a") in n) printf "GET /api/plans, instance on / instance off (same work, unmetered): %.1f %%\n", 100 * r("on:a") / r("off:a")
  }' "$RESULTS" | tee -a "$OUT_DIR/summary.md"

if [ "$CHECK_USAGE" = 1 ]; then
    log "waiting for the usage projection of \"on\" to catch up"
    read -r USAGE1 DUPS1 <<<"$(usage_settled on)"
    SERVER1=$(server_200s on)
    FINAL_LAG=$(projection_lag on)
    WRK_OK=$(awk '$2 == "on" && ($3 == "b" || $3 == "e") { n += $12 } END { printf "%d\n", n }' "$RUNS")
    {
        echo
        echo "usage projection lag (catalytic_usage_projection_lag_seconds; p50 p99 max in s, then count and sum since start)"
        echo "right after each metered (b) round:"
        sed 's/^/    /' "$LAGS"
        echo "after catching up: $FINAL_LAG"
        awk '{ p50 += $2; p99 += $3; if ($3 > m) m = $3; k++ } END { if (k) printf "mean over the rounds: p50 %.1f ms, p99 %.1f ms (highest p99 %.1f ms)\n", 1000 * p50 / k, 1000 * p99 / k, 1000 * m }' "$LAGS"
        echo
        echo "usage log of the metered instance (GET /api/me answered 200, tenant ${TENANT[on]}), over all metered GET /api/me wrk runs incl. warm-up:"
        echo "    2xx counted by wrk:                        $WRK_OK"
        echo "    200s counted by the server (http_server_requests): $((SERVER1 - SERVER0))   (wrk misses the responses in flight when it stops: up to $CONNECTIONS a run)"
        echo "    new rows in usage_logs:                    $((USAGE1 - USAGE0))   ($USAGE0 before, $USAGE1 after)"
        echo "    rows minus distinct ids:                   $DUPS1"
        if [ $((USAGE1 - USAGE0)) = $((SERVER1 - SERVER0)) ] && [ "$DUPS1" = 0 ] && [ $((USAGE1 - USAGE0)) -ge "$WRK_OK" ]; then
            echo "    => every acknowledged call is in the usage log once: no record lost, none duplicated"
        else
            echo "    => MISMATCH: check the app log"
        fi
    } | tee -a "$OUT_DIR/summary.md"
fi
