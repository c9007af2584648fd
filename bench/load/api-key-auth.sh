#!/usr/bin/env bash
# Load benchmark of API-key authentication over loopback (docs/PERFORMANCE.md, "API-key authentication").
#
# Starts the real application (deploy/target/catalytic.jar) on a scratch PostgreSQL database that this script
# creates and drops, with Redis under a key prefix of its own (deleted at the end), registers a user, logs in,
# issues an API key, then measures with wrk, same duration and connections for each, interleaved:
#   (a) GET /api/plans                    public, no authentication, no database
#   (b) GET /api/me   with X-API-Key      API-key authentication (cached), then two read-table queries
#   (c) PUT /api/plans                    public path, answered 405 by Spring MVC: no authentication, no database
#   (d) PUT /api/me   with X-API-Key      the authentication filter runs in full (key, owner, tenant checks), then
#                                         the same 405: (d) vs (c) isolates the cost of API-key authentication
#   (e) GET /api/me   with Bearer JWT     only when WITH_JWT=1: access-token authentication, same handler as (b)
# Order: a warm-up of each, then ROUNDS rounds of a, b, c, d[, e]. Every request goes to 127.0.0.1 and nowhere
# else; every wrk run is bounded by its duration. The app is stopped and the scratch state removed on any exit.
#
# Settings (environment):
#   DURATION=20s WARMUP=30s ROUNDS=2 CONNECTIONS=16 WRK_THREADS=1   wrk runs (durations in whole seconds, "Ns")
#   PORT          HTTP port of the app (default: the first free one from 18700)
#   SOURCE_REF    a commit (e.g. HEAD): build a clean export of it (git archive) in a temporary folder instead of
#                 the working tree, so that uncommitted or concurrent edits never reach the measured jar
#   SKIP_BUILD=1  use the existing deploy/target/catalytic.jar instead of building it (ignored with SOURCE_REF)
#   METERING=on   (default) builds that meter /api calls keep metering on, with the free plan's rate limit and
#                 monthly quota raised out of the way; METERING=off turns metering off (catalytic.metering.enabled);
#                 METERING=asis leaves the configuration alone (then the free plan's 60 requests/minute answer
#                 nearly all of (b), (d), (e) with 429, which the report counts as errors).
#                 Builds without metering ignore these settings.
#   JAVA_OPTS     JVM options of the app (default: -Xms256m -Xmx1g, as deploy/bin/catalytic)
#   PGHOST_=127.0.0.1 PGPORT_=5432 PGUSER_=postgres   the PostgreSQL server (trust auth) to create the database on
#   REDIS_HOST=127.0.0.1 REDIS_PORT=6379
#   OUT_DIR       where the raw wrk outputs and the app log are kept (default: a new /tmp/api-key-auth.* folder)
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
DB="bench_tmp_${RUN_ID}"
REDIS_PREFIX="bench:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/api-key-auth.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/api-key-auth-data.XXXXXX)
APP_PID=""
DB_CREATED=0

log() { echo "[api-key-auth] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need() {   # need <command> <debian package>
    command -v "$1" >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] || die "$1 is missing (apt-get install $2)"
    log "installing $2"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2"; } >/dev/null
}

cleanup() {
    local rc=$?
    set +e
    if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
        log "stopping the app (pid $APP_PID)"
        kill "$APP_PID"
        for _ in $(seq 1 30); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 1; done
        kill -0 "$APP_PID" 2>/dev/null && kill -9 "$APP_PID"
        wait "$APP_PID" 2>/dev/null
    fi
    if [ "$DB_CREATED" = 1 ]; then
        log "dropping database $DB"
        psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
    fi
    if command -v redis-cli >/dev/null 2>&1; then
        redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "${REDIS_PREFIX}*" 2>/dev/null \
            | xargs -r -n 100 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del >/dev/null 2>&1
    fi
    rm -rf "$DATA_DIR" "${SRC_DIR:-}"
    log "raw outputs and the app log: $OUT_DIR"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need wrk wrk
need jq jq
need psql postgresql-client
command -v java >/dev/null || die "java is not on PATH"

# ---------------------------------------------------------------- build
JAR="$ROOT/deploy/target/catalytic.jar"
if [ -n "${SOURCE_REF:-}" ]; then
    commit=$(git -C "$ROOT" rev-parse --verify "${SOURCE_REF}^{commit}") || die "SOURCE_REF=$SOURCE_REF is not a commit"
    SRC_DIR=$(mktemp -d /tmp/api-key-auth-src.XXXXXX)
    log "building commit $commit in $SRC_DIR (mvn -B -q -DskipTests package)"
    git -C "$ROOT" archive "$commit" | tar -x -C "$SRC_DIR"
    (cd "$SRC_DIR" && mvn -B -q -DskipTests package) >"$OUT_DIR/build.log" 2>&1 \
        || { tail -30 "$OUT_DIR/build.log" >&2; die "build failed"; }
    JAR="$SRC_DIR/deploy/target/catalytic.jar"
    echo "$commit" >"$OUT_DIR/source.txt"
elif [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "building the working tree (mvn -B -q -DskipTests package)"
    mvn -B -q -DskipTests package >"$OUT_DIR/build.log" 2>&1 || { tail -30 "$OUT_DIR/build.log" >&2; die "build failed"; }
    echo "working tree at $(git -C "$ROOT" rev-parse HEAD) ($(git -C "$ROOT" status --porcelain | wc -l) changed paths)" \
        >"$OUT_DIR/source.txt"
fi
[ -f "$JAR" ] || die "$JAR does not exist (build it, or unset SKIP_BUILD)"
# run a private copy, so that a rebuild of deploy/target during the run cannot pull the classes from under the app
for attempt in 1 2 3; do
    before=$(stat -c '%s %Y' "$JAR")
    cp "$JAR" "$DATA_DIR/catalytic.jar"
    [ "$(stat -c '%s %Y' "$JAR")" = "$before" ] && [ "$(stat -c '%s' "$DATA_DIR/catalytic.jar")" = "${before%% *}" ] && break
    [ "$attempt" -lt 3 ] || die "$JAR keeps changing (another build is writing it?)"
    log "$JAR changed while being copied; retrying in 20 s"
    sleep 20
done
log "running $JAR ($(stat -c '%y' "$JAR" | cut -d. -f1), copied)"
case "$METERING" in
    on)  METERING_ARGS=(--catalytic.plans.free.requests-per-minute=100000000 --catalytic.plans.free.api-calls-per-month=-1) ;;
    off) METERING_ARGS=(--catalytic.metering.enabled=false) ;;
    asis) METERING_ARGS=() ;;
    *)   die "METERING must be on, off or asis" ;;
esac
JAR="$DATA_DIR/catalytic.jar"

# ---------------------------------------------------------------- port
port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
if [ -z "${PORT:-}" ]; then
    PORT=18700
    while port_in_use "$PORT"; do PORT=$((PORT + 1)); [ "$PORT" -lt 18800 ] || die "no free port in 18700-18799"; done
elif port_in_use "$PORT"; then
    die "port $PORT is already in use"
fi
BASE="http://$HOST:$PORT"

# ---------------------------------------------------------------- scratch database
pg_isready -h "$PGHOST_" -p "$PGPORT_" -q || die "PostgreSQL is not answering on $PGHOST_:$PGPORT_"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not answering on $REDIS_HOST:$REDIS_PORT"
log "creating database $DB"
psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$DB\"" >/dev/null
DB_CREATED=1

# ---------------------------------------------------------------- start the app
log "starting the app on $BASE"
# JAVA_OPTS is split into words on purpose
# shellcheck disable=SC2086
DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/$DB" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" \
    PORT="$PORT" CATALYTIC_DATA_DIR="$DATA_DIR" \
    java $JAVA_OPTS -jar "$JAR" serve \
    --server.address="$HOST" \
    --catalytic.redis.key-prefix="$REDIS_PREFIX" \
    --catalytic.auth.max-registrations-per-ip=1000 \
    --catalytic.auth.max-failures-per-ip=1000 \
    "${METERING_ARGS[@]}" \
    >"$OUT_DIR/app.log" 2>&1 &
APP_PID=$!
for i in $(seq 1 120); do
    kill -0 "$APP_PID" 2>/dev/null || { tail -40 "$OUT_DIR/app.log" >&2; die "the app exited during start-up"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true)" = 200 ] && break
    [ "$i" -lt 120 ] || die "the app did not answer /health within 120 s"
    sleep 1
done
log "app is up after ~${i} s (pid $APP_PID)"

# ---------------------------------------------------------------- account, token, key
EMAIL="bench-${RUN_ID}@example.com"
PASSWORD="Bench-Lattice-Pass-${RUN_ID}"
call() {   # call <expected status> <curl args...>; prints the body
    local want=$1; shift
    local body status
    body=$(curl -s -w '\n%{http_code}' "$@")
    status=${body##*$'\n'}
    body=${body%$'\n'*}
    [ "$status" = "$want" ] || die "expected $want, got $status from curl $*: $body"
    printf '%s' "$body"
}
call 201 "$BASE/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"company_name\":\"Bench $RUN_ID\"}" >/dev/null
TOKEN=$(call 200 "$BASE/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | jq -er .access_token)
KEY=$(call 201 "$BASE/api/api-keys" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
    -d '{"name":"bench","scopes":["users:read"]}' | jq -er .key)
call 200 "$BASE/api/plans" >/dev/null
call 200 "$BASE/api/me" -H "X-API-Key: $KEY" | jq -e ".email == \"$EMAIL\"" >/dev/null || die "/api/me with the key is not the user"
call 200 "$BASE/api/me" -H "Authorization: Bearer $TOKEN" >/dev/null
call 405 -X PUT "$BASE/api/plans" >/dev/null
call 401 -X PUT "$BASE/api/me" >/dev/null                        # the filter does run on PUT /api/me ...
call 405 -X PUT "$BASE/api/me" -H "X-API-Key: $KEY" >/dev/null   # ... and lets the key through
log "user, access token and API key ${KEY:0:13}… ready"

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

# CPU time (clock ticks, user + system) of the app, and of the PostgreSQL backends serving the scratch database
APP_TICKS() { awk '{print $14 + $15}' "/proc/$APP_PID/stat"; }
PG_TICKS() {
    local total=0 p
    for p in $(pgrep -f "postgres: .* $DB " || true); do
        total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}
BUSY_TICKS() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }   # whole machine, all cores
NOW_MS() { date +%s%3N; }
CLK_TCK=$(getconf CLK_TCK)
declare -A URL HDR METHOD STATUS
URL[a]="$BASE/api/plans"; HDR[a]="";                              METHOD[a]=GET; STATUS[a]=2xx
URL[b]="$BASE/api/me";    HDR[b]="X-API-Key: $KEY";               METHOD[b]=GET; STATUS[b]=2xx
URL[c]="$BASE/api/plans"; HDR[c]="";                              METHOD[c]=PUT; STATUS[c]=405
URL[d]="$BASE/api/me";    HDR[d]="X-API-Key: $KEY";               METHOD[d]=PUT; STATUS[d]=405
URL[e]="$BASE/api/me";    HDR[e]="Authorization: Bearer $TOKEN";  METHOD[e]=GET; STATUS[e]=2xx
CASES=(a b c d)
[ "$WITH_JWT" = 1 ] && CASES+=(e)

# run_wrk <case> <duration> <label>; prints
#   label case req/s p50_us p99_us mean_us app_cpu_us/req pg_cpu_us/req machine_busy_% errors
run_wrk() {
    local c=$1 d=$2 label=$3 out="$OUT_DIR/wrk-$3-$1.txt" a0 a1 p0 p1 b0 b1 w0 w1 secs
    local args=(-t "$WRK_THREADS" -c "$CONNECTIONS" -d "$d" --timeout 5s --latency -s "$SUMMARY_LUA")
    [ -n "${HDR[$c]}" ] && args+=(-H "${HDR[$c]}")
    secs=${d%s}
    a0=$(APP_TICKS); p0=$(PG_TICKS); b0=$(BUSY_TICKS); w0=$(NOW_MS)
    WRK_METHOD=${METHOD[$c]} timeout $((secs + 30)) wrk "${args[@]}" "${URL[$c]}" >"$out" 2>&1 \
        || die "wrk failed: $(cat "$out")"
    w1=$(NOW_MS); a1=$(APP_TICKS); p1=$(PG_TICKS); b1=$(BUSY_TICKS)
    local line; line=$(grep '^RESULT ' "$out") || die "no RESULT line in $out"
    local requests duration_us connect_errors read_errors write_errors timeouts non_2xx mean_us stdev_us p50_us p90_us p99_us max_us
    eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^/local /')"
    # every response must have the expected status: (a) (b) (e) 2xx, (c) (d) all 405 (checked with curl above)
    local unexpected=$non_2xx
    if [ "${STATUS[$c]}" = 405 ]; then
        unexpected=$((requests - non_2xx))
        # wrk counts 405 and, say, 429 alike: check that the case still answers 405 right after the run
        local hdr=(); [ -n "${HDR[$c]}" ] && hdr=(-H "${HDR[$c]}")
        local now="" i
        for i in 1 2 3; do   # three at once: a token bucket may have refilled by one or two since the run
            now="$now$(curl -s -o /dev/null -w '%{http_code}' -X PUT "${hdr[@]}" "${URL[$c]}") "
        done
        if [ "$now" != "405 405 405 " ]; then
            log "WARNING: case $c answers $now(not 405) after the run: counting all its responses as errors"
            unexpected=$requests
        fi
    fi
    local errors=$((connect_errors + read_errors + write_errors + timeouts + unexpected))
    awk -v l="$label" -v c="$c" -v n="$requests" -v us="$duration_us" -v p50="$p50_us" -v p99="$p99_us" \
        -v mean="$mean_us" -v da=$((a1 - a0)) -v dp=$((p1 - p0)) -v db=$((b1 - b0)) -v tck="$CLK_TCK" \
        -v cores="$(nproc)" -v wall=$((w1 - w0)) -v err="$errors" \
        'BEGIN { s = us / 1e6; printf "%s %s %.1f %d %d %.1f %.1f %.1f %.0f %d\n", l, c, n / s, p50, p99, mean,
                 (da / tck) * 1e6 / n, (dp / tck) * 1e6 / n, 100 * (db / tck) / (wall / 1e3 * cores), err }'
}

log "machine: $(nproc) cores; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
others=$(ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk -v me="$APP_PID" '$2 != me && $1 > 20' | head -5)
[ -z "$others" ] || log "WARNING: other processes are busy, the figures will be disturbed: $(echo "$others" | tr '\n' ';')"
log "warm-up: ${WARMUP} per case, ${CONNECTIONS} connections, ${WRK_THREADS} wrk thread(s)"
for c in "${CASES[@]}"; do run_wrk "$c" "$WARMUP" warmup >/dev/null; done
RESULTS="$OUT_DIR/results.txt"
: >"$RESULTS"
for r in $(seq 1 "$ROUNDS"); do
    for c in "${CASES[@]}"; do
        log "round $r, case $c: ${DURATION}"
        run_wrk "$c" "$DURATION" "round$r" | tee -a "$RESULTS" >&2
    done
done
log "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
{
    echo
    echo "source: $(cat "$OUT_DIR/source.txt" 2>/dev/null || echo "existing $ROOT/deploy/target/catalytic.jar")"
    echo "metering: $METERING; $(nproc) cores, $(java -version 2>&1 | head -1); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT_DIR/summary.md"
awk -v dur="$DURATION" -v conns="$CONNECTIONS" -v thr="$WRK_THREADS" -v rounds="$ROUNDS" '
  { n[$2]++; rps[$2] += $3; p50[$2] += $4; p99[$2] += $5; mean[$2] += $6; cpu[$2] += $7; pg[$2] += $8;
    busy[$2] += $9; err[$2] += $10; per[$2] = per[$2] sprintf("%s%.0f", (per[$2] == "" ? "" : " / "), $3) }
  END {
    name["a"] = "(a) GET /api/plans, no auth";  name["b"] = "(b) GET /api/me, X-API-Key"
    name["c"] = "(c) PUT /api/plans → 405, no auth"; name["d"] = "(d) PUT /api/me, X-API-Key → 405"
    name["e"] = "(e) GET /api/me, Bearer JWT"
    printf "\nwrk -t%s -c%s -d%s, %s rounds interleaved after warm-up; figures are means over the rounds\n\n", thr, conns, dur, rounds
    printf "| case | req/s (per round) | req/s mean | latency mean | p50 | p99 | app CPU/req | PostgreSQL CPU/req | machine busy | errors |\n"
    printf "|---|---|---|---|---|---|---|---|---|---|\n"
    split("a b c d e", order, " ")
    for (i = 1; i <= 5; i++) { k = order[i]; if (!(k in n)) continue
      printf "| %s | %s | %.0f | %.2f ms | %.2f ms | %.2f ms | %.0f µs | %.0f µs | %.0f %% | %d |\n", name[k], per[k],
        rps[k] / n[k], mean[k] / n[k] / 1000, p50[k] / n[k] / 1000, p99[k] / n[k] / 1000, cpu[k] / n[k], pg[k] / n[k],
        busy[k] / n[k], err[k] }
    printf "\nratio b/a (req/s): %.1f %%   (the target is >= 60 %%)\n", 100 * (rps["b"] / n["b"]) / (rps["a"] / n["a"])
    printf "ratio d/c (req/s): %.1f %%   (API-key authentication alone)\n", 100 * (rps["d"] / n["d"]) / (rps["c"] / n["c"])
    if ("e" in n) printf "ratio e/a (req/s): %.1f %%\n", 100 * (rps["e"] / n["e"]) / (rps["a"] / n["a"])
  }' "$RESULTS" | tee -a "$OUT_DIR/summary.md"
