# shellcheck shell=bash
# What the load benchmarks of bench/load share (sourced, not run). The caller defines log and die, and the
# settings each function names (HOST for port_in_use).

need() {   # need <command> <debian package>: installs the package when the command is missing (as root)
    command -v "$1" >/dev/null 2>&1 && return 0
    [ "$(id -u)" = 0 ] || die "$1 is missing (apt-get install $2)"
    log "installing $2"
    { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2"; } >/dev/null
}

port_in_use() {   # port_in_use <port>: something answers on HOST:port
    (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

stop_pid() {   # stop_pid <pid>: TERM, up to 30 s to exit, then KILL; reaps it
    kill "$1" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$1" 2>/dev/null || break; sleep 1; done
    kill -0 "$1" 2>/dev/null && kill -9 "$1"
    wait "$1" 2>/dev/null
}

await_healthy() {   # await_healthy <pid> <base url> <log file> <label>: waits until GET <base url>/health answers 200
    # (at most 180 s) and prints the seconds it took; dies if the process exits first (its log's tail shown)
    local n
    for n in $(seq 1 180); do
        kill -0 "$1" 2>/dev/null || { tail -40 "$3" >&2; die "$4 exited during start-up"; }
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$2/health" || true)" = 200 ] && { echo "$n"; return 0; }
        [ "$n" -lt 180 ] || die "$4 did not answer /health within 180 s"
        sleep 1
    done
}

call() {   # call <expected status> <curl args...>: prints the body; dies on any other status
    local want=$1; shift
    local body status
    body=$(curl -s -w '\n%{http_code}' "$@")
    status=${body##*$'\n'}
    body=${body%$'\n'*}
    [ "$status" = "$want" ] || die "expected $want, got $status from curl $*: $body"
    printf '%s' "$body"
}

drop_redis_keys() {   # drop_redis_keys: deletes the run's keys (REDIS_HOST, REDIS_PORT, REDIS_PREFIX)
    if command -v redis-cli >/dev/null 2>&1; then
        redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --scan --pattern "${REDIS_PREFIX}*" 2>/dev/null \
            | xargs -r -n 100 redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" del >/dev/null 2>&1
    fi
}

# build_private_jar NAME: builds deploy/target/catalytic.jar (SOURCE_REF: a clean `git archive` export of that
# commit, built in /tmp/NAME-src.*, whose path is left in SRC_DIR for the caller's cleanup; SKIP_BUILD=1: the
# existing jar), records what was built in OUT_DIR/source.txt, then copies it into DATA_DIR so that a rebuild of
# deploy/target during the run cannot pull the classes from under the app, and leaves the copy's path in JAR.
# Needs ROOT, OUT_DIR, DATA_DIR and the functions log and die.
build_private_jar() {
    JAR="$ROOT/deploy/target/catalytic.jar"
    if [ -n "${SOURCE_REF:-}" ]; then
        commit=$(git -C "$ROOT" rev-parse --verify "${SOURCE_REF}^{commit}") || die "SOURCE_REF=$SOURCE_REF is not a commit"
        SRC_DIR=$(mktemp -d "/tmp/$1-src.XXXXXX")
        log "building commit $commit in $SRC_DIR (mvn -B -q -DskipTests package)"
        git -C "$ROOT" archive "$commit" | tar -x -C "$SRC_DIR"
        (cd "$SRC_DIR" && mvn -B -q -DskipTests package) >"$OUT_DIR/build.log" 2>&1 \
            || { tail -30 "$OUT_DIR/build.log" >&2; die "build failed"; }
        JAR="$SRC_DIR/deploy/target/catalytic.jar"
        echo "$commit" >"$OUT_DIR/source.txt"
    elif [ "${SKIP_BUILD:-0}" != 1 ]; then
        log "building the working tree (mvn -B -q -DskipTests package)"
        # the jar is made anew: with deploy's own classes unchanged, packaging would keep a jar that still holds
        # the other modules as they were when it was made
        rm -f "$ROOT/deploy/target/catalytic.jar" "$ROOT/deploy/target/catalytic.jar.original"
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
    JAR="$DATA_DIR/catalytic.jar"
}

# post_subscription_event <base url> <webhook secret> <event id> <subscription id> <tenant id> <price lookup key>:
# posts a signed customer.subscription.updated event (status active), built and signed as deploy/src/test/.../
# StripePayloads.java does, to <base url>/webhooks/stripe; dies unless it is answered 200. Needs call, openssl.
post_subscription_event() {
    local t body sig
    t=$(date +%s)
    body="{\"id\":\"$3\",\"object\":\"event\",\"api_version\":\"2025-08-27.basil\",\"created\":$t"
    body="$body,\"livemode\":false,\"pending_webhooks\":1,\"type\":\"customer.subscription.updated\",\"data\":{\"object\":"
    body="$body{\"id\":\"$4\",\"object\":\"subscription\",\"customer\":\"cus_bench_$5\",\"status\":\"active\""
    body="$body,\"cancel_at_period_end\":false,\"trial_end\":null,\"metadata\":{\"tenant_id\":\"$5\"}"
    body="$body,\"items\":{\"object\":\"list\",\"data\":[{\"id\":\"si_1\",\"object\":\"subscription_item\""
    body="$body,\"current_period_start\":$((t - 86400)),\"current_period_end\":$((t - 86400 + 30 * 86400))"
    body="$body,\"price\":{\"id\":\"price_$6\",\"object\":\"price\",\"lookup_key\":\"$6\""
    body="$body,\"recurring\":{\"interval\":\"month\"}}}]}}}}"
    sig=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$2" | awk '{print $NF}')
    call 200 "$1/webhooks/stripe" -H 'Content-Type: application/json; charset=utf-8' \
        -H "Stripe-Signature: t=$t,v1=$sig" --data-binary "$body" >/dev/null
}
