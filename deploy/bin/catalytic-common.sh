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

# restart_service: CATALYTIC_RESTART (a command line) or systemctl restart of CATALYTIC_SERVICE (catalytic).
restart_service() {
    if [ -n "${CATALYTIC_RESTART:-}" ]; then
        bash -c "$CATALYTIC_RESTART"
    else
        systemctl restart "${CATALYTIC_SERVICE:-catalytic}"
    fi
}
