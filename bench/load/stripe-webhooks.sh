#!/usr/bin/env bash
# Load benchmark of the Stripe webhook endpoint, POST /webhooks/stripe, over loopback (docs/PERFORMANCE.md,
# "Stripe webhooks").
#
# Starts the real application (deploy/target/catalytic.jar) with STRIPE_WEBHOOK_SECRET set, on a scratch PostgreSQL
# database that this script creates and drops, with Redis under a key prefix of its own (deleted at the end),
# registers TENANTS tenants, then measures with bench/load/StripeWebhookLoad.java (WORKERS workers, each on its own
# keep-alive connection, one request at a time, for a fixed duration; every event is built and signed as
# deploy/src/test/java/com/catalytic/deploy/support/StripePayloads.java does, just before its case starts):
#   (a) charge.refunded, a new event id each          a type not handled: signature check + stripe_events insert
#   (b) customer.subscription.updated, a new id each  the full path: inbox, subscription aggregate, tenant commands;
#                                                     for the TENANTS tenants (each worker has its own, so a
#                                                     tenant's events go out in order), created increasing per
#                                                     tenant, status active/past_due and price lookup key
#                                                     starter_month/professional_month alternating per tenant, so
#                                                     every event really changes the plan
#   (c) redeliveries of (b) events already processed  the duplicate fast path (re-signed with a current timestamp)
#   (d) (b)-shaped events signed with a wrong secret  answered 400
# Order: a warm-up of each case, then ROUNDS rounds of a, b, c, d. Every request goes to 127.0.0.1 and nowhere else;
# every run is bounded by its duration (a request in flight at the deadline is waited for, 30 s at most). The app is
# stopped and the scratch state removed on any exit.
#
# Afterwards it checks: no 5xx, no I/O error or timeout, every (d) answered 400; the distinct (b) events answered
# 200 (warm-up and the start-up check included) = the rows of stripe_events of type customer.subscription.updated
# with outcome 'applied%' (and no row of that type otherwise); the (a) events answered 200 = the charge.refunded
# rows (all 'ignored%'); no wrongly signed event recorded; no row with attempts > 1 (a redelivery of a processed
# event changes nothing); each tenant's plan in the tenants read table is the one its last acknowledged (b) event
# named.
#
# Settings (environment):
#   DURATION=15s WARMUP=20s ROUNDS=3 WORKERS=8   runs (whole seconds, "Ns")
#   TENANTS=64    tenants registered before the runs (at least WORKERS); each (b) event goes to one of them
#   PORT          HTTP port of the app (default: the first free one from 18700)
#   SOURCE_REF    a commit (e.g. HEAD): build a clean export of it (git archive) in a temporary folder instead of
#                 the working tree, so that uncommitted or concurrent edits never reach the measured jar
#   SKIP_BUILD=1  use the existing deploy/target/catalytic.jar instead of building it (ignored with SOURCE_REF)
#   JAVA_OPTS     JVM options of the app (default: -Xms256m -Xmx1g, as deploy/bin/catalytic)
#   GEN_JAVA_OPTS JVM options of the load generator (default: -Xmx768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
#   PGHOST_=127.0.0.1 PGPORT_=5432 PGUSER_=postgres   the PostgreSQL server (trust auth) to create the database on
#   REDIS_HOST=127.0.0.1 REDIS_PORT=6379
#   OUT_DIR       where the raw outputs and the app log are kept (default: a new /tmp/stripe-webhooks.* folder)
set -euo pipefail
# one collation for sort and join (a thread name like "usage-journal" sorts differently under a UTF-8 locale)
export LC_ALL=C

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-20s}
ROUNDS=${ROUNDS:-3}
WORKERS=${WORKERS:-8}
TENANTS=${TENANTS:-64}
JAVA_OPTS=${JAVA_OPTS:--Xms256m -Xmx1g}
GEN_JAVA_OPTS=${GEN_JAVA_OPTS:--Xmx768m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
PGHOST_=${PGHOST_:-127.0.0.1}
PGPORT_=${PGPORT_:-5432}
PGUSER_=${PGUSER_:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
HOST=127.0.0.1   # loopback only, never anything else
CASES=(a b c d)

RUN_ID="$$_$(date +%s)"
REDIS_PREFIX="bench:${RUN_ID}:"
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/stripe-webhooks.XXXXXX)}
mkdir -p "$OUT_DIR"
DATA_DIR=$(mktemp -d /tmp/stripe-webhooks-data.XXXXXX)
WEBHOOK_SECRET="whsec_bench_${RUN_ID}_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
APP_PID=""
DB=""

log() { echo "[stripe-webhooks] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
psql_() { psql -h "$PGHOST_" -p "$PGPORT_" -U "$PGUSER_" "$@"; }
secs() { [[ "$1" =~ ^[0-9]+s$ ]] || die "durations are whole seconds (\"15s\"): $1"; echo "${1%s}"; }

# shellcheck source=bench/load/lib.sh
. "$ROOT/bench/load/lib.sh"

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

need jq jq
need psql postgresql-client
command -v java >/dev/null || die "java is not on PATH"
command -v javac >/dev/null || die "javac is not on PATH (a JDK 17 is needed for the load generator)"
DURATION_S=$(secs "$DURATION")
WARMUP_S=$(secs "$WARMUP")
[ "$TENANTS" -ge "$WORKERS" ] || die "TENANTS ($TENANTS) must be at least WORKERS ($WORKERS): each worker owns its tenants"

# ---------------------------------------------------------------- build
build_private_jar stripe-webhooks

# the load generator, compiled once (from the script's own tree, whatever SOURCE_REF says)
mkdir -p "$DATA_DIR/gen"
javac -d "$DATA_DIR/gen" "$ROOT/bench/load/StripeWebhookLoad.java" || die "the load generator does not compile"
gen() {   # gen <case> key=value...   (JVM options split into words on purpose); GEN_TIMEOUT bounds it
    # shellcheck disable=SC2086
    timeout "${GEN_TIMEOUT:-60}" java $GEN_JAVA_OPTS -cp "$DATA_DIR/gen" StripeWebhookLoad "$@" url="$BASE/webhooks/stripe" secret="$WEBHOOK_SECRET" \
        workers="$WORKERS" run="$RUN_ID" tenants="$TENANT_FILE" state="$DATA_DIR/tenant-state.txt" \
        acked="$OUT_DIR/acked-b.tsv" redeliver="$OUT_DIR/acked-b.tsv"
}

pg_isready -h "$PGHOST_" -p "$PGPORT_" -q || die "PostgreSQL is not answering on $PGHOST_:$PGPORT_"
redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis is not answering on $REDIS_HOST:$REDIS_PORT"

# ---------------------------------------------------------------- start the app
port=${PORT:-18700}
if [ -n "${PORT:-}" ]; then
    ! port_in_use "$port" || die "port $port is already in use"
else
    while port_in_use "$port"; do port=$((port + 1)); [ "$port" -lt 18800 ] || die "no free port in 18700-18799"; done
fi
BASE="http://$HOST:$port"
DB="bench_tmp_${RUN_ID}_webhooks"
log "creating database $DB"
psql_ -d postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE \"$DB\"" >/dev/null
log "starting the app on $BASE"
mkdir -p "$DATA_DIR/app"
# JAVA_OPTS is split into words on purpose
# shellcheck disable=SC2086
DATABASE_URL="postgresql://$PGUSER_@$PGHOST_:$PGPORT_/$DB" REDIS_HOST="$REDIS_HOST" REDIS_PORT="$REDIS_PORT" \
    PORT="$port" MANAGEMENT_PORT=0 CATALYTIC_DATA_DIR="$DATA_DIR/app" STRIPE_WEBHOOK_SECRET="$WEBHOOK_SECRET" \
    java $JAVA_OPTS -jar "$JAR" serve \
    --server.address="$HOST" \
    --catalytic.redis.key-prefix="${REDIS_PREFIX}" \
    --catalytic.auth.max-registrations-per-ip=100000 \
    --catalytic.auth.max-failures-per-ip=100000 \
    >"$OUT_DIR/app.log" 2>&1 &
APP_PID=$!
for n in $(seq 1 120); do
    kill -0 "$APP_PID" 2>/dev/null || { tail -40 "$OUT_DIR/app.log" >&2; die "the app exited during start-up"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/health" || true)" = 200 ] && break
    [ "$n" -lt 120 ] || die "the app did not answer /health within 120 s"
    sleep 1
done
log "app is up after ~${n} s (pid $APP_PID)"
grep -q "webhooks on" "$OUT_DIR/app.log" || log "WARNING: the app log does not say \"webhooks on\""

# ---------------------------------------------------------------- tenants
TENANT_FILE="$OUT_DIR/tenants.txt"
log "registering $TENANTS tenants"
register() {   # register <n>: prints the tenant id
    local email="bench-${RUN_ID}-$1@example.com" out status
    out=$(curl -s -w '\n%{http_code}' "$BASE/auth/register" -H 'Content-Type: application/json' \
        -d "{\"email\":\"$email\",\"password\":\"Bench-Lattice-Pass-${RUN_ID}\",\"company_name\":\"Bench $RUN_ID $1\"}")
    status=${out##*$'\n'}
    [ "$status" = 201 ] || { echo "register $1: $out" >&2; return 1; }
    printf '%s\n' "${out%$'\n'*}" | jq -er .tenant_id
}
export -f register
export BASE RUN_ID
seq 1 "$TENANTS" | xargs -P 4 -I{} bash -c 'register {}' >"$TENANT_FILE" || die "registering the tenants failed"
[ "$(sort -u "$TENANT_FILE" | wc -l)" = "$TENANTS" ] || die "expected $TENANTS distinct tenant ids in $TENANT_FILE"

# one of each case, then what the server made of it
: >"$OUT_DIR/acked-b.tsv"
check=$(gen check) || die "the start-up check failed: $check"
log "start-up check: $check"
read -r a_id b_id d_id <<<"$(echo "$check" | sed -E 's/.* a_id=([^ ]+) b_id=([^ ]+) d_id=([^ ]+).*/\1 \2 \3/')"
rows=$(psql_ -d "$DB" -Atqc "SELECT id || ' | ' || COALESCE(outcome, '-') || ' | attempts ' || attempts FROM stripe_events
    WHERE id IN ('$a_id', '$b_id', '$d_id') ORDER BY id")
log "stripe_events after the check: $(echo "$rows" | tr '\n' ';')"
echo "$rows" | grep -q "^$a_id | ignored: event type not handled | attempts 1$" || die "(a) was not recorded as ignored"
echo "$rows" | grep -q "^$b_id | applied: plan professional | attempts 1$" || die "(b) was not applied (professional)"
echo "$rows" | grep -q "^$d_id" && die "the wrongly signed (d) event was recorded"

# ---------------------------------------------------------------- runs
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
# CPU ticks of the app's threads, grouped by name without their trailing number (as bench/load/thread-cpu.sh)
THREAD_TICKS() {
    for t in /proc/"$APP_PID"/task/*; do
        printf '%s|%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)"
    done | sed -E 's/[-#]?[0-9]+\|/|/' | awk -F'|' '{a[$1] += $2} END {for (k in a) print k "|" a[k]}' | sort -t'|' -k1,1
}
CLK_TCK=$(getconf CLK_TCK)
RUNS="$OUT_DIR/runs.txt"   # every run, warm-up included
: >"$RUNS"
declare -A POOL   # events pre-signed per worker for the next run of a case, from the last one's throughput
for c in "${CASES[@]}"; do POOL[$c]=10000; done
POOL[b]=1000

# run_case <case> <seconds> <label>; appends to $RUNS and prints
#   label case events/s p50_us p99_us mean_us app_cpu_us/ev pg_cpu_us/ev gen_cpu_us/ev machine_busy_% unexpected
#   s5xx io_errors+timeouts requests inline load1
run_case() {
    local c=$1 s=$2 label=$3 out="$OUT_DIR/gen-$3-$1.txt"
    local a0 a1 p0 p1 b0 b1 w0 w1
    THREAD_TICKS >"$DATA_DIR/threads-before"
    a0=$(APP_TICKS); p0=$(PG_TICKS); b0=$(BUSY_TICKS); w0=$(NOW_MS)
    GEN_TIMEOUT=$((s + 120)) gen "$c" duration="$s" pool="${POOL[$c]}" label="$label" >"$out" 2>&1 \
        || die "the load generator failed: $(tail -20 "$out")"
    w1=$(NOW_MS); a1=$(APP_TICKS); p1=$(PG_TICKS); b1=$(BUSY_TICKS)
    THREAD_TICKS >"$DATA_DIR/threads-after"
    local line; line=$(grep '^RESULT ' "$out") || die "no RESULT line in $out"
    local case requests duration_s rps p50_us p90_us p99_us max_us mean_us status ok s4xx s5xx unexpected io_errors \
        timeouts reconnects pool inline prep_ms gen_cpu_us_per_req
    eval "$(echo "${line#RESULT }" | tr ' ' '\n' | sed 's/^/local /')"
    # app CPU per event by thread group (µs), biggest first
    join -t'|' "$DATA_DIR/threads-before" "$DATA_DIR/threads-after" | awk -F'|' -v n="$requests" -v tck="$CLK_TCK" \
        '{ u = ($3 - $2) / tck * 1e6 / n; if (u >= 0.5) printf "%.1f|%s\n", u, $1 }' | sort -t'|' -k1,1rn \
        >"$OUT_DIR/threads-$label-$c.txt"
    # the next run of this case: three times this one's throughput over the longest duration (throughput still
    # grows from round to round while the JIT compilers work), never less than before
    POOL[$c]=$(awk -v r="$rps" -v d="$((DURATION_S > WARMUP_S ? DURATION_S : WARMUP_S))" -v w="$WORKERS" \
        -v p="${POOL[$c]}" 'BEGIN { n = int(r * d * 3 / w + 500); printf "%d\n", (n > p ? n : p) }')
    # app and PostgreSQL CPU over the generator's whole life (pre-signing included: the app is idle then)
    awk -v l="$label" -v c="$c" -v n="$requests" -v rps="$rps" -v p50="$p50_us" -v p99="$p99_us" -v mean="$mean_us" \
        -v da=$((a1 - a0)) -v dp=$((p1 - p0)) -v db=$((b1 - b0)) -v tck="$CLK_TCK" -v cores="$(nproc)" \
        -v wall=$((w1 - w0)) -v gen="$gen_cpu_us_per_req" -v un="$unexpected" -v s5="$s5xx" \
        -v io=$((io_errors + timeouts)) -v inl="$inline" -v ld="$(cut -d' ' -f1 /proc/loadavg)" \
        'BEGIN { printf "%s %s %.1f %d %d %.0f %.0f %.0f %.1f %.0f %d %d %d %d %d %s\n", l, c, rps, p50, p99, mean,
                 (da / tck) * 1e6 / n, (dp / tck) * 1e6 / n, gen, 100 * (db / tck) / (wall / 1e3 * cores), un, s5, io,
                 n, inl, ld }' | tee -a "$RUNS"
}

log "machine: $(nproc) cores; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
others=$(ps -eo pcpu=,pid=,comm= --sort=-pcpu | awk -v me="^$APP_PID\$" '$2 !~ me && $1 > 20' | head -5)
[ -z "$others" ] || log "WARNING: other processes are busy, the figures will be disturbed: $(echo "$others" | tr '\n' ';')"
log "warm-up: ${WARMUP} per case, $WORKERS workers, $TENANTS tenants"
for c in "${CASES[@]}"; do run_case "$c" "$WARMUP_S" warmup >&2; done
RESULTS="$OUT_DIR/results.txt"
: >"$RESULTS"
for r in $(seq 1 "$ROUNDS"); do
    log "round $r (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    for c in "${CASES[@]}"; do
        run_case "$c" "$DURATION_S" "round$r" | tee -a "$RESULTS" >&2
    done
done
log "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- checks
log "checking the inbox and the tenants"
ACKED_B=$(cut -f1 "$OUT_DIR/acked-b.tsv" | sort -u | wc -l)
ACKED_B_LINES=$(wc -l <"$OUT_DIR/acked-b.tsv")
OK_A=$(grep -h '^RESULT case=a ' "$OUT_DIR"/gen-*-a.txt \
    | sed -E 's/.* ok=([0-9]+).*/\1/' | awk '{ n += $1 } END { print n + 1 }')   # + the start-up check's
S5XX=$(awk '{ n += $12 } END { print n + 0 }' "$RUNS")
IOERR=$(awk '{ n += $13 } END { print n + 0 }' "$RUNS")
UNEXPECTED=$(awk '{ n += $11 } END { print n + 0 }' "$RUNS")
sql() { psql_ -d "$DB" -Atqc "$1"; }
B_APPLIED=$(sql "SELECT COUNT(*) FROM stripe_events WHERE type = 'customer.subscription.updated' AND outcome LIKE 'applied%'")
B_OTHER=$(sql "SELECT COUNT(*) FROM stripe_events WHERE type = 'customer.subscription.updated'
    AND (outcome IS NULL OR outcome NOT LIKE 'applied%')")
B_OTHER_WHY=$(sql "SELECT why || ' x' || n FROM (SELECT COALESCE(outcome, 'unprocessed: ' || COALESCE(last_error, '-'))
    AS why, COUNT(*) AS n FROM stripe_events WHERE type = 'customer.subscription.updated'
    AND (outcome IS NULL OR outcome NOT LIKE 'applied%') GROUP BY 1 ORDER BY 2 DESC LIMIT 5) x" | tr '\n' ';')
A_ROWS=$(sql "SELECT COUNT(*) FROM stripe_events WHERE type = 'charge.refunded'")
A_IGNORED=$(sql "SELECT COUNT(*) FROM stripe_events WHERE type = 'charge.refunded' AND outcome LIKE 'ignored%'")
BAD_ROWS=$(sql "SELECT COUNT(*) FROM stripe_events WHERE id LIKE 'evt\\_bench\\_bad\\_%'")
RETRIED=$(sql "SELECT COUNT(*) FROM stripe_events WHERE attempts > 1")
MAX_SEQ=$(sql "SELECT MAX(sequence_number) + 1 FROM domain_event_entry WHERE type = 'subscription'")
MAX_TSEQ=$(sql "SELECT MAX(sequence_number) + 1 FROM domain_event_entry
    WHERE type = 'tenant' AND aggregate_identifier IN (SELECT tenant_id FROM stripe_events WHERE tenant_id IS NOT NULL)")
# the plan each tenant's last acknowledged (b) event names (events of a tenant go out one at a time, in order)
cut -f2 "$OUT_DIR/acked-b.tsv" | jq -r '[.data.object.metadata.tenant_id, .created,
        (.data.object.items.data[0].price.lookup_key | sub("_month$"; ""))] | @tsv' \
    | sort -t$'\t' -k1,1 -k2,2n | awk -F'\t' '{ last[$1] = $3 } END { for (t in last) print t "\t" last[t] }' \
    | sort >"$OUT_DIR/expected-plans.tsv"
PLAN_MISMATCH=""
for n in $(seq 1 60); do   # the tenants read table is built by a projection: let it catch up
    sql "SELECT id || E'\t' || plan FROM tenants" | sort >"$OUT_DIR/actual-plans.tsv"
    PLAN_MISMATCH=$(join -t$'\t' "$OUT_DIR/expected-plans.tsv" "$OUT_DIR/actual-plans.tsv" | awk -F'\t' '$2 != $3' | wc -l)
    PLAN_MISSING=$(join -t$'\t' -v1 "$OUT_DIR/expected-plans.tsv" "$OUT_DIR/actual-plans.tsv" | wc -l)
    [ "$PLAN_MISMATCH" = 0 ] && [ "$PLAN_MISSING" = 0 ] && break
    sleep 1
done
TENANTS_CHECKED=$(wc -l <"$OUT_DIR/expected-plans.tsv")
v() { if "$@"; then echo ok; else echo MISMATCH; fi; }   # v <test...>: the verdict of a check
V_ERR=$(v test "$S5XX$IOERR$UNEXPECTED" = 000)
V_B=$(v test "$ACKED_B" = "$B_APPLIED" -a "$ACKED_B" = "$ACKED_B_LINES" -a "$B_OTHER" = 0)
V_A=$(v test "$OK_A" = "$A_ROWS" -a "$A_ROWS" = "$A_IGNORED")
V_D=$(v test "$BAD_ROWS$RETRIED" = 00)
V_PLAN=$(v test "${PLAN_MISMATCH:-x}${PLAN_MISSING:-x}" = 00)

# ---------------------------------------------------------------- report
{
    echo
    echo "source: $(cat "$OUT_DIR/source.txt" 2>/dev/null || echo "existing $ROOT/deploy/target/catalytic.jar")"
    echo "$(nproc) cores, $(java -version 2>&1 | head -1); load average now $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$WORKERS workers, $TENANTS tenants, ${DURATION} per run, $ROUNDS rounds interleaved after a ${WARMUP} warm-up of each case"
} | tee "$OUT_DIR/summary.md"
awk '
  { c = $2; n[c]++; rps[c] += $3; p50[c] += $4; p99[c] += $5; mean[c] += $6; app[c] += $7; pg[c] += $8; gen[c] += $9
    busy[c] += $10; err[c] += $11 + $12 + $13; inl[c] += $15; ld[c] = ld[c] (ld[c] == "" ? "" : " / ") $16
    per[c] = per[c] sprintf("%s%.0f", (per[c] == "" ? "" : " / "), $3)
    p50s[c] = p50s[c] sprintf("%s%.1f", (p50s[c] == "" ? "" : " / "), $4 / 1000)
    p99s[c] = p99s[c] sprintf("%s%.1f", (p99s[c] == "" ? "" : " / "), $5 / 1000) }
  function r(c) { return rps[c] / n[c] }
  END {
    name["a"] = "(a) charge.refunded (not handled)"; name["b"] = "(b) customer.subscription.updated (applied)"
    name["c"] = "(c) redelivery of a processed (b)"; name["d"] = "(d) wrong signature → 400"
    printf "\n| case | events/s (per round) | events/s | p50 (per round) | p99 (per round) | mean | app CPU/event | PostgreSQL CPU/event | generator CPU/event | machine busy | errors |\n"
    printf "|---|---|---|---|---|---|---|---|---|---|---|\n"
    split("a b c d", order, " ")
    for (i = 1; i <= 4; i++) { c = order[i]; if (!(c in n)) continue
      printf "| %s | %s | %.0f | %s ms | %s ms | %.1f ms | %.0f µs | %.0f µs | %.0f µs | %.0f %% | %d |\n", name[c], per[c],
        r(c), p50s[c], p99s[c], mean[c] / n[c] / 1000, app[c] / n[c], pg[c] / n[c], gen[c] / n[c], busy[c] / n[c], err[c] }
    print ""
    for (i = 2; i <= 4; i++) { c = order[i]; if ((c in n) && ("a" in n))
      printf "ratio %s/a (events/s): %.1f %%\n", c, 100 * r(c) / r("a") }
    for (i = 1; i <= 4; i++) { c = order[i]; if (inl[c] > 0) printf "note: case %s signed %d events inline (the pre-signed pool ran out)\n", c, inl[c] }
    printf "load average (1 min) at the end of each run, per case: a %s; b %s; c %s; d %s\n", ld["a"], ld["b"], ld["c"], ld["d"]
  }' "$RESULTS" | tee -a "$OUT_DIR/summary.md"
{
    echo
    echo "app CPU per event by thread group, mean over the rounds (µs; groups under 2 % of the case's total left out):"
    for c in "${CASES[@]}"; do
        cat "$OUT_DIR"/threads-round*-"$c".txt 2>/dev/null | awk -F'|' -v r="$ROUNDS" -v c="$c" \
            '{ u[$2] += $1 / r; t += $1 / r } END { line = ""; for (k in u) if (u[k] >= 0.02 * t) line = line sprintf("%08.1f|%s\n", u[k], k)
               n = split(line, ls, "\n"); asort(ls); out = ""
               for (i = n; i >= 1; i--) if (ls[i] != "") { split(ls[i], f, "|"); out = out sprintf("%s %.0f, ", f[2], f[1]) }
               printf "    (%s) total %.0f: %s\n", c, t, substr(out, 1, length(out) - 2) }'
    done
} | tee -a "$OUT_DIR/summary.md"
{
    echo
    echo "checks (all runs, warm-up and the start-up check included):"
    echo "    5xx: $S5XX; I/O errors and timeouts: $IOERR; other unexpected statuses: $UNEXPECTED   => $V_ERR"
    echo "    (b) distinct events answered 200: $ACKED_B ($ACKED_B_LINES acknowledgements); stripe_events rows of customer.subscription.updated 'applied%': $B_APPLIED, other: $B_OTHER ${B_OTHER_WHY:+($B_OTHER_WHY)}   => $V_B"
    echo "    (a) events answered 200: $OK_A; charge.refunded rows: $A_ROWS ($A_IGNORED 'ignored%')   => $V_A"
    echo "    (d) wrongly signed events recorded: $BAD_ROWS; rows with attempts > 1 (a redelivery re-processed): $RETRIED   => $V_D"
    echo "    tenants whose read-side plan differs from their last acknowledged (b) event: ${PLAN_MISMATCH:-?} (missing: ${PLAN_MISSING:-?}) of $TENANTS_CHECKED   => $V_PLAN"
    echo "    events per aggregate at the end (no snapshots: each command replays them): subscription up to $MAX_SEQ, tenant up to $MAX_TSEQ"
} | tee -a "$OUT_DIR/summary.md"
[ "$V_ERR$V_B$V_A$V_D$V_PLAN" = okokokokok ] || die "a check failed (see above and $OUT_DIR/app.log)"
