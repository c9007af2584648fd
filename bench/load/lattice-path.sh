#!/usr/bin/env bash
# Load benchmark of the lattice path query over loopback (docs/PERFORMANCE.md, "Lattice path queries over HTTP").
#
# Starts the real application (deploy/target/catalytic.jar) with its default settings on a scratch PostgreSQL
# database that this script creates and drops, with Redis under a key prefix of its own (deleted at the end).
# Registers TENANTS companies, moves them to the enterprise plan with the operator command (`catalytic tenant
# plan`, the only plan whose max size admits n=1000), gives each an API key and one DIMS-dimensional lattice of
# SIZE points per side without obstacles (10^9 vertices by default). Then, with wrk, interleaved after a warm-up:
#   (p) POST /api/lattices/{id}/path   PAIRS random start/end pairs (seeded), cycled
#   (m) GET /api/me                    the cheapest authenticated read, as the baseline of the ratio
# Requests go round-robin over the tenants (each tenant's API key and lattice), so at most CONNECTIONS calls are in
# flight and each tenant sees 1/TENANTS of them: every call meets the plan's real limits (6,000 requests/minute
# per tenant, the per-tenant compute cap) and none of them is raised. Every response must be 200: wrk's count of
# other statuses is reported as errors and fails the run. Latency: one wrk run with a single connection (the
# latency a caller meets, p50/p99 over every pair; then GET /api/me the same way, as its baseline), then the
# throughput rounds with CONNECTIONS connections.
#
# Settings (environment):
#   TENANTS=100 PAIRS=1000 DIMS=3 SIZE=1000 SEED=42
#   DURATION=20s WARMUP=10s ROUNDS=2 CONNECTIONS=16     wrk runs (whole seconds, "Ns")
#   LATENCY_REQUESTS=3000  requests of the single-connection latency run (at least PAIRS)
#   SOURCE_REF / SKIP_BUILD=1 / JAVA_OPTS / PGHOST_ PGPORT_ PGUSER_ / REDIS_HOST REDIS_PORT / OUT_DIR / PORT
#                 as in bench/load/api-key-auth.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

TENANTS=${TENANTS:-100}
PAIRS=${PAIRS:-1000}
DIMS=${DIMS:-3}
SIZE=${SIZE:-1000}
SEED=${SEED:-42}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-10s}
ROUNDS=${ROUNDS:-2}
CONNECTIONS=${CONNECTIONS:-16}
LATENCY_REQUESTS=${LATENCY_REQUESTS:-3000}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
HOST=127.0.0.1   # loopback only

RUN_ID="$$_$(date +%s)"
REDIS_PREFIX="bench:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/lattice-path.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/lattice-path-data.XXXXXX)
DB="bench_tmp_${RUN_ID}_lattice"
DB_CREATED=0
APP_PID=""

log() { echo "[lattice-path] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }

# shellcheck source=bench/load/lib.sh
. "$ROOT/bench/load/lib.sh"

cleanup() {
    local rc=$?
    set +e
    if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
        log "stopping the app (pid $APP_PID)"
        stop_pid "$APP_PID"
    fi
    [ "$DB_CREATED" = 1 ] && psql_ -d postgres -qc "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
    drop_redis_keys
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
[ "$LATENCY_REQUESTS" -ge "$PAIRS" ] || die "LATENCY_REQUESTS must be at least PAIRS"
pg_isready -h "$PGHOST_" -p "$PGPORT_" -q || die "PostgreSQL is not answering on $PGHOST_:$PGPORT_"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not answering on $REDIS_HOST:$REDIS_PORT"

build_private_jar lattice-path

# ---------------------------------------------------------------- the app, with its defaults
port=${PORT:-18900}
while port_in_use "$port" || port_in_use $((port + 100)); do port=$((port + 1)); done
BASE="http://$HOST:$port"
APP_ENV=(DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/$DB" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT"
         CATALYTIC_DATA_DIR="$DATA_DIR" CATALYTIC_REDIS_KEY_PREFIX="$REDIS_PREFIX")
log "creating database $DB"
psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$DB\"" >/dev/null
DB_CREATED=1
log "starting the app on $BASE (default settings; only sign-ups from one address raised, for the set-up)"
# JAVA_OPTS is split into words on purpose
# shellcheck disable=SC2086
env "${APP_ENV[@]}" PORT="$port" MANAGEMENT_PORT=$((port + 100)) java $JAVA_OPTS -jar "$JAR" serve --server.address="$HOST" \
    --catalytic.auth.max-registrations-per-ip=100000 >"$OUT_DIR/app.log" 2>&1 &
APP_PID=$!
for n in $(seq 1 120); do
    kill -0 "$APP_PID" 2>/dev/null || { tail -40 "$OUT_DIR/app.log" >&2; die "the app exited during start-up"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true)" = 200 ] && break
    [ "$n" -lt 120 ] || die "the app did not answer /health within 120 s"
    sleep 1
done
log "app up after ~${n} s (pid $APP_PID)"


# ---------------------------------------------------------------- tenants, plan, keys, lattices
TENANT_IDS=()
TOKENS=()
log "registering $TENANTS tenants"
for t in $(seq 1 "$TENANTS"); do
    email="bench-${RUN_ID}-$t@example.com"
    password="Bench-Lattice-Pass-${RUN_ID}"
    reg=$(call 201 "$BASE/auth/register" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\",\"company_name\":\"Lattice bench $RUN_ID $t\"}")
    TENANT_IDS+=("$(echo "$reg" | jq -er .tenant_id)")
    TOKENS+=("$(call 200 "$BASE/auth/login" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -er .access_token)")
done
log "moving them to the enterprise plan (catalytic tenant plan … enterprise)"
# shellcheck disable=SC2086
env "${APP_ENV[@]}" java $JAVA_OPTS -jar "$JAR" tenant plan "${TENANT_IDS[@]}" enterprise >"$OUT_DIR/plan.log" 2>&1 || { tail -20 "$OUT_DIR/plan.log" >&2; die "tenant plan failed"; }
KEYS_FILE="$OUT_DIR/keys.txt"        # one line per tenant: API key, lattice id
: >"$KEYS_FILE"
for t in $(seq 0 $((TENANTS - 1))); do
    auth="Authorization: Bearer ${TOKENS[$t]}"
    # the plan change reaches the node's tenant cache within a poll; wait for the tenant to read enterprise
    for _ in $(seq 1 50); do
        [ "$(call 200 "$BASE/api/me" -H "$auth" | jq -r .tenant.plan)" = enterprise ] && break
        sleep 0.2
    done
    [ "$(call 200 "$BASE/api/me" -H "$auth" | jq -r .tenant.plan)" = enterprise ] || die "tenant ${TENANT_IDS[$t]} is not on enterprise"
    key=$(call 201 "$BASE/api/api-keys" -H 'Content-Type: application/json' -H "$auth" \
        -d '{"name":"lattice bench","scopes":["lattices:read","lattices:write","users:read"]}' | jq -er .key)
    lattice=$(call 201 "$BASE/api/lattices" -H 'Content-Type: application/json' -H "X-API-Key: $key" \
        -d "{\"name\":\"bench\",\"dimensions\":$DIMS,\"size\":$SIZE}")
    echo "$key $(echo "$lattice" | jq -er .id)" >>"$KEYS_FILE"
done
log "tenants ready; first lattice: $lattice"

# ---------------------------------------------------------------- pairs, and a check of one answer
PAIRS_FILE="$OUT_DIR/pairs.txt"      # one line per pair: the request body
awk -v n="$PAIRS" -v d="$DIMS" -v s="$SIZE" -v seed="$SEED" 'BEGIN { srand(seed)
    for (i = 0; i < n; i++) { a = ""; b = ""
        for (k = 0; k < d; k++) { a = a (k ? "," : "") int(rand() * s); b = b (k ? "," : "") int(rand() * s) }
        printf "{\"start\":[%s],\"end\":[%s]}\n", a, b } }' >"$PAIRS_FILE"
read -r key0 lattice0 <"$KEYS_FILE"
first=$(head -1 "$PAIRS_FILE")
answer=$(call 200 "$BASE/api/lattices/$lattice0/path" -H 'Content-Type: application/json' -H "X-API-Key: $key0" -d "$first")
expected=$(echo "$first" | jq '[.start, .end] | transpose | map(.[0] - .[1] | fabs) | add')
echo "$answer" | jq -e --argjson l "$expected" '.reachable == true and .length == $l and (.path | length) == $l + 1' >/dev/null \
    || die "the first pair's answer is wrong (expected length $expected): ${answer:0:300}"
log "check: $first → length $expected, $(echo "$answer" | jq -c '{vertices_explored, execution_time_ms}')"

# ---------------------------------------------------------------- wrk
LUA="$OUT_DIR/lattice.lua"
cat >"$LUA" <<'LUA'
-- round-robin over the tenants (API key + lattice id), cycling through the pairs; one result line per run
local mode = os.getenv("WRK_MODE")
local keys, lattices, pairs = {}, {}, {}
for line in io.lines(os.getenv("KEYS_FILE")) do
  local k, l = line:match("^(%S+) (%S+)$"); keys[#keys + 1] = k; lattices[#lattices + 1] = l
end
for line in io.lines(os.getenv("PAIRS_FILE")) do pairs[#pairs + 1] = line end
local i = 0
request = function()
  local t = i % #keys + 1
  local p = i % #pairs + 1
  i = i + 1
  if mode == "path" then
    return wrk.format("POST", "/api/lattices/" .. lattices[t] .. "/path",
      { ["X-API-Key"] = keys[t], ["Content-Type"] = "application/json" }, pairs[p])
  end
  return wrk.format("GET", "/api/me", { ["X-API-Key"] = keys[t] })
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d errors=%d non_2xx=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.1f\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
LUA
export KEYS_FILE PAIRS_FILE
RESULTS="$OUT_DIR/results.txt"
: >"$RESULTS"
run_wrk() {   # run_wrk <path|me> <connections> <duration> <label>; prints: label mode conns req/s p50 p90 p99 max mean
    local mode=$1 c=$2 d=$3 label=$4 out="$OUT_DIR/wrk-$4-$1-c$2.txt"
    WRK_MODE=$mode timeout $((${d%s} + 30)) wrk -t 1 -c "$c" -d "$d" --timeout 5s --latency -s "$LUA" "$BASE" >"$out" 2>&1 \
        || die "wrk failed: $(cat "$out")"
    local line; line=$(grep '^RESULT ' "$out") || die "no RESULT line in $out"
    local requests duration_us errors non_2xx p50_us p90_us p99_us max_us mean_us
    eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^/local /')"
    [ "$errors" = 0 ] && [ "$non_2xx" = 0 ] || die "$label $mode: $errors socket errors, $non_2xx answers other than 2xx ($out; 429s are the plan's rate limit, 100 requests a second per enterprise tenant: raise TENANTS)"
    awk -v l="$label" -v m="$mode" -v c="$c" -v n="$requests" -v us="$duration_us" -v a="$p50_us" -v b="$p90_us" \
        -v p="$p99_us" -v x="$max_us" -v mean="$mean_us" \
        'BEGIN { printf "%s %s %d %.1f %.2f %.2f %.2f %.2f %.2f %d\n", l, m, c, n / (us / 1e6), a / 1e3, b / 1e3, p / 1e3, x / 1e3, mean / 1e3, n }'
}
log "warm-up: $WARMUP of each, $CONNECTIONS connections"
run_wrk path "$CONNECTIONS" "$WARMUP" warmup >/dev/null
run_wrk me "$CONNECTIONS" "$WARMUP" warmup >/dev/null
# latency: one connection, long enough for LATENCY_REQUESTS requests at the warm-up's pace (bounded by wrk's duration)
warm_rps=$(awk '{ print $4 }' <(run_wrk path 1 5s probe))
secs=$(awk -v n="$LATENCY_REQUESTS" -v r="$warm_rps" 'BEGIN { s = int(n / (r > 0 ? r : 1)) + 2; print (s < 5 ? 5 : s) }')
log "latency run: one connection, ${secs}s (~$LATENCY_REQUESTS requests at $warm_rps req/s)"
run_wrk path 1 "${secs}s" latency | tee -a "$RESULTS" >&2
log "latency baseline: GET /api/me, one connection, ${secs}s"
run_wrk me 1 "${secs}s" latency | tee -a "$RESULTS" >&2
for r in $(seq 1 "$ROUNDS"); do
    log "round $r (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    if [ $((r % 2)) = 1 ]; then order=(path me); else order=(me path); fi
    for m in "${order[@]}"; do run_wrk "$m" "$CONNECTIONS" "$DURATION" "round$r" | tee -a "$RESULTS" >&2; done
done

# ---------------------------------------------------------------- report
{
    echo
    echo "source: $(cat "$OUT_DIR/source.txt" 2>/dev/null || echo "existing $ROOT/deploy/target/catalytic.jar")"
    echo "$(nproc) cores, $(java -version 2>&1 | head -1); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$TENANTS enterprise tenants, one ${DIMS}-D lattice of size $SIZE each, $PAIRS random pairs (seed $SEED), default settings"
    echo
    echo "| run | request | connections | req/s | p50 | p90 | p99 | max | requests |"
    echo "|---|---|---|---|---|---|---|---|---|"
    awk '{ printf "| %s | %s | %d | %.0f | %.2f ms | %.2f ms | %.2f ms | %.2f ms | %d |\n", $1, ($2 == "path" ? "POST …/path" : "GET /api/me"), $3, $4, $5, $6, $7, $8, $10 }' "$RESULTS"
    echo
    awk '$1 ~ /^round/ { r[$2] += $4; n[$2]++ } END { if (n["path"] && n["me"])
        printf "throughput, means over the rounds: path %.0f req/s, GET /api/me %.0f req/s; ratio path / me = %.1f %%\n",
            r["path"] / n["path"], r["me"] / n["me"], 100 * (r["path"] / n["path"]) / (r["me"] / n["me"]) }' "$RESULTS"
    awk '$1 == "latency" && $2 == "path" { printf "latency with one connection over %d requests (%d distinct pairs, cycled): p50 %.2f ms, p99 %.2f ms (bar: p99 < 50 ms)\n", $10, '"$PAIRS"', $5, $7 }
         $1 == "latency" && $2 == "me" { printf "baseline, GET /api/me with one connection over %d requests: p50 %.2f ms, p99 %.2f ms\n", $10, $5, $7 }' "$RESULTS"
} | tee "$OUT_DIR/summary.md"
