#!/usr/bin/env bash
# How long a node takes to start, and the CPU it spends doing so, for the three ways a release can run:
#   jar       java -jar catalytic.jar (the guide's single jar; classes nested in one jar)
#   unpacked  the jar unpacked by catalytic-deploy (app/catalytic.jar and app/lib/)
#   archive   unpacked, with the class data-sharing archive catalytic-deploy records (app/catalytic.jsa)
# Each round starts `serve` once per way, in turns, on one migrated PostgreSQL database, and times it from the
# java command to the first 200 from /health; then kills it. The release is prepared by deploy/bin's own
# prepare_release, as catalytic-deploy does.
#
#   bench/startup/start.sh                      # 3 rounds; needs PostgreSQL (trust auth) and Redis on 127.0.0.1
#   ROUNDS=5 CATALYTIC_JAR=/tmp/catalytic.jar bench/startup/start.sh
#
# Settings: ROUNDS (3), CATALYTIC_JAR (default deploy/target/catalytic.jar, built when missing), PGUSER (postgres),
# PORT (18870), JAVA_OPTS (-Xms512m -Xmx2g, the systemd unit's), OUT_DIR (a temporary directory, kept).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
ROUNDS=${ROUNDS:-3}
PGUSER_=${PGUSER:-postgres}
PORT=${PORT:-18870}
JAVA_OPTS=${JAVA_OPTS:--Xms512m -Xmx2g}
OUT_DIR=${OUT_DIR:-$(mktemp -d /tmp/startup-XXXXXX)}
JAR=${CATALYTIC_JAR:-$ROOT/deploy/target/catalytic.jar}
DB=bench_startup_$$

log() { echo "[startup $(date -u +%H:%M:%S)] $*"; }
die() { echo "startup: $*" >&2; exit 1; }

if [ ! -f "$JAR" ]; then
    log "building $JAR"
    (cd "$ROOT" && mvn -B -q -DskipTests package)
fi
psql -h 127.0.0.1 -U "$PGUSER_" -d postgres -qc "CREATE DATABASE $DB"
trap 'psql -h 127.0.0.1 -U "$PGUSER_" -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true' EXIT

mkdir -p "$OUT_DIR/data" "$OUT_DIR/release"
cat >"$OUT_DIR/env" <<EOF
DATABASE_URL=postgresql://$PGUSER_@127.0.0.1:5432/$DB
REDIS_HOST=127.0.0.1
REDIS_PORT=6379
CATALYTIC_REDIS_KEY_PREFIX=bench-startup-$$:
CATALYTIC_DATA_DIR=$OUT_DIR/data
PORT=$PORT
EOF
cp "$JAR" "$OUT_DIR/release/catalytic.jar"
release="$OUT_DIR/release"

log "migrating $DB"
(set -a; . "$OUT_DIR/env"; set +a
    java -Ddisable-axoniq-console-message=true -jar "$release/catalytic.jar" db migrate) \
    >"$OUT_DIR/migrate.log" 2>&1 || die "db migrate failed: $OUT_DIR/migrate.log"
log "preparing the release (unpacked, start-up archive)"
# shellcheck source=../../deploy/bin/catalytic-common.sh
. "$ROOT/deploy/bin/catalytic-common.sh"
prepare_release "$release" "$OUT_DIR/env"
[ -s "$release/app/catalytic.jsa" ] || die "no archive was recorded: $release/prepare.log"

# start WAY ROUND: prints "seconds cpu-seconds" of one start to the first healthy answer
start() {
    local way=$1 round=$2 t0 t1 pid cpu
    local -a run
    case "$way" in
        jar) run=(-jar "$release/catalytic.jar") ;;
        unpacked) run=(-jar "$release/app/catalytic.jar") ;;
        archive) run=("-XX:SharedArchiveFile=$release/app/catalytic.jsa" -jar "$release/app/catalytic.jar") ;;
    esac
    t0=$(date +%s%N)
    # JAVA_OPTS is split into words on purpose
    # shellcheck disable=SC2086
    (set -a; . "$OUT_DIR/env"; set +a; exec java $JAVA_OPTS -Ddisable-axoniq-console-message=true "${run[@]}" serve \
        --server.address=127.0.0.1) >"$OUT_DIR/$way-$round.log" 2>&1 &
    pid=$!
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health" || true)" = 200 ]; do
        kill -0 "$pid" 2>/dev/null || die "$way did not start: $OUT_DIR/$way-$round.log"
        sleep 0.05
    done
    t1=$(date +%s%N)
    cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$pid/stat")
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    echo "$(( (t1 - t0) / 1000000 )) $cpu"
}

echo "| round | jar: to healthy, JVM CPU | unpacked | unpacked + archive |" >"$OUT_DIR/results.md"
echo "|---|---|---|---|" >>"$OUT_DIR/results.md"
for round in $(seq 1 "$ROUNDS"); do
    row="| $round |"
    for way in jar unpacked archive; do
        read -r ms cpu < <(start "$way" "$round")
        log "round $round, $way: healthy after $ms ms, JVM CPU $cpu s"
        row="$row $(awk -v ms="$ms" 'BEGIN {printf "%.1f s", ms / 1000}'), $cpu s |"
    done
    echo "$row" >>"$OUT_DIR/results.md"
done
cat "$OUT_DIR/results.md"
log "outputs and logs: $OUT_DIR"
