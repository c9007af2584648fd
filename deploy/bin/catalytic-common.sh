# shellcheck shell=bash
# Helpers shared by the operator scripts in deploy/bin (sourced, not run; install it beside them).

# database_url_from_env: sets DATABASE_URL from the environment, or else from the environment file
# (CATALYTIC_ENV_FILE, default /etc/catalytic/.env.production), read as data (never executed).
database_url_from_env() {
    if [ -n "${DATABASE_URL:-}" ]; then
        return 0
    fi
    local env_file=${CATALYTIC_ENV_FILE:-/etc/catalytic/.env.production}
    [ -r "$env_file" ] || die "DATABASE_URL is not set and $env_file cannot be read"
    DATABASE_URL=$(env_value DATABASE_URL "$env_file")
    [ -n "$DATABASE_URL" ] || die "$env_file has no DATABASE_URL"
}

# libpq_url URL: sets LIBPQ_URL to URL in libpq's URI form without its password, and exports the password as
# PGPASSWORD (so that it never appears in a process list). Accepts postgresql://, postgres:// and
# jdbc:postgresql:// URLs (a password given as a ?password= parameter stays in the URL).
libpq_url() {
    local url=${1#jdbc:}
    case "$url" in
        postgresql://*|postgres://*) ;;
        *) die "DATABASE_URL must be a postgresql:// URL (the embedded database moves with: catalytic db copy)" ;;
    esac
    local re='^(postgres(ql)?://)([^:@/]*):([^@/]*)@(.*)$'
    if [[ "$url" =~ $re ]]; then
        local encoded=${BASH_REMATCH[4]}
        PGPASSWORD=$(printf '%b' "${encoded//%/\\x}")
        export PGPASSWORD
        url="${BASH_REMATCH[1]}${BASH_REMATCH[3]}@${BASH_REMATCH[5]}"
    fi
    # shellcheck disable=SC2034 # read by the scripts that source this file
    LIBPQ_URL=$url
}

# url_with_database URL NAME: prints URL with its database (the path) replaced by NAME, parameters kept.
url_with_database() {
    local url=$1 name=$2 base query=""
    base=${url%%\?*}
    [ "$base" = "$url" ] || query="?${url#*\?}"
    printf '%s\n' "${base%/*}/$name$query"
}

# env_value NAME FILE: prints the value NAME has in the environment file FILE (read as data), empty when absent.
env_value() {
    sed -n "s/^[[:space:]]*\(export[[:space:]]\{1,\}\)\{0,1\}$1=//p" "$2" 2>/dev/null | tail -1 \
        | sed "s/^[\"']//; s/[\"']\$//"
}

# wait_healthy PORT SECONDS: waits until http://127.0.0.1:PORT/health answers "healthy" (not "degraded", not
# "unhealthy"); returns 1 when it has not within SECONDS. Prints the last answer seen.
wait_healthy() {
    local port=$1 seconds=$2 answer="" deadline
    deadline=$(( $(date +%s) + seconds ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        answer=$(curl -sS --max-time 3 "http://127.0.0.1:$port/health" 2>&1 || true)
        if printf '%s' "$answer" | grep -q '"status" *: *"healthy"'; then
            echo "healthy on port $port"
            return 0
        fi
        sleep 1
    done
    echo "not healthy on port $port within $seconds s; last answer: ${answer:-none}"
    return 1
}

# switch_release HOME RELEASE_DIR: points HOME/current at RELEASE_DIR atomically, and HOME/catalytic.jar (the
# path the systemd unit starts) at current/catalytic.jar.
switch_release() {
    local home=$1 release=$2
    ln -sfn "$release" "$home/current.new"
    mv -T "$home/current.new" "$home/current"
    if [ ! -L "$home/catalytic.jar" ]; then
        [ ! -e "$home/catalytic.jar" ] || mv "$home/catalytic.jar" "$home/catalytic.jar.before-releases"
        ln -s current/catalytic.jar "$home/catalytic.jar"
    fi
}

# prepare_release RELEASE_DIR ENV_FILE: unpacks RELEASE_DIR/catalytic.jar into RELEASE_DIR/app (a plain jar and its
# libraries, which the JVM loads faster than classes nested in one jar) and records the classes the service loads
# while it starts in RELEASE_DIR/app/catalytic.jsa (a class data-sharing archive: one start of the service's context
# on ENV_FILE that stops before it serves, with a data directory of its own). bin/catalytic then starts the service
# and the commands from there: nearly half the CPU and time to start (docs/PERFORMANCE.md, "Start-up"). Best effort:
# when a step fails it says so and the release runs from its jar, or without the archive; JAVA names the java.
prepare_release() {
    local release java=${JAVA:-java} data
    release=$(readlink -f "$1")
    rm -rf "$release/app"
    if ! LC_ALL=C grep -q -a -F 'BOOT-INF/lib/spring-boot-jarmode-tools' "$release/catalytic.jar"; then
        echo "not unpacked (not a Spring Boot jar with its tools): the release runs from its jar"
        return 0
    fi
    if ! "$java" -Djarmode=tools -jar "$release/catalytic.jar" extract --destination "$release/app" \
            >"$release/prepare.log" 2>&1 || [ ! -f "$release/app/catalytic.jar" ]; then
        rm -rf "$release/app"
        echo "not unpacked (see $release/prepare.log): the release runs from its jar"
        return 0
    fi
    # which jar app/ holds (size, modification time, inode): bin/catalytic runs app/ only while that jar is in place
    stat -c '%s %Y %i' "$release/catalytic.jar" >"$release/app/unpacked-from"
    data=$(mktemp -d)
    # The classes one start of the service loads, recorded on the node's environment file by a start that stops
    # before anything starts (spring.context.exit) and writes only to its scratch data directory and prepare.log (no
    # journal, log file or error report of the running service is touched); then a static archive of them
    # (-Xshare:dump, which runs without the JIT), written under another name and renamed once complete (a truncated
    # one would crash the JVM). Not a dynamic archive of the start itself (-XX:ArchiveClassesAtExit): on Java 17
    # that one keeps each method's JIT state as the start left it, and a method then queued for compilation is
    # never compiled in a JVM that uses the archive (docs/PERFORMANCE.md, "Start-up").
    # shellcheck disable=SC1090 # the environment file named by the caller
    if (set -a; . "$2"; set +a
        CATALYTIC_DATA_DIR=$data SENTRY_DSN="" "$java" -Xms512m -Xmx2g \
            -XX:DumpLoadedClassList="$release/app/classes.lst" -Dspring.context.exit=onRefresh \
            -Dcatalytic.metering.journal-dir="$data/usage-journal" -Dlogging.file.name= -Dlogging.file.path= \
            -Ddisable-axoniq-console-message=true -jar "$release/app/catalytic.jar" serve) \
            >>"$release/prepare.log" 2>&1 && [ -s "$release/app/classes.lst" ] \
        && "$java" -Xshare:dump -XX:SharedClassListFile="$release/app/classes.lst" \
            -XX:SharedArchiveFile="$release/app/catalytic.jsa.part" -cp "$release/app/catalytic.jar" \
            >>"$release/prepare.log" 2>&1 && [ -s "$release/app/catalytic.jsa.part" ]; then
        mv "$release/app/catalytic.jsa.part" "$release/app/catalytic.jsa"
        echo "unpacked into $release/app, with the classes of a start in app/catalytic.jsa"
    else
        rm -f "$release/app/catalytic.jsa.part"
        echo "unpacked into $release/app; no start-up archive (see $release/prepare.log): it starts without one"
    fi
    rm -f "$release/app/classes.lst"
    rm -rf "$data"
}

# prune_releases HOME KEEP: removes the releases under HOME/releases beyond the KEEP newest (by the time they were
# installed), never the current or the previous one, and says which.
prune_releases() {
    local home=$1 keep=$2 current="" previous="" n=0 dir
    [ ! -L "$home/current" ] || current=$(readlink -f "$home/current")
    [ ! -L "$home/previous" ] || previous=$(readlink -f "$home/previous")
    while IFS= read -r dir; do
        dir=$(readlink -f "$dir")
        n=$((n + 1))
        if [ "$n" -gt "$keep" ] && [ "$dir" != "$current" ] && [ "$dir" != "$previous" ]; then
            rm -rf -- "$dir"
            echo "removed release $(basename "$dir") (kept: the $keep newest, the current and the previous one)"
        fi
    done < <(ls -1dt "$home"/releases/*/ 2>/dev/null)
}

# restart_service: CATALYTIC_RESTART (a command line) or systemctl restart of CATALYTIC_SERVICE (catalytic).
restart_service() {
    if [ -n "${CATALYTIC_RESTART:-}" ]; then
        bash -c "$CATALYTIC_RESTART"
    else
        systemctl restart "${CATALYTIC_SERVICE:-catalytic}"
    fi
}
