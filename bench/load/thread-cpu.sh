#!/usr/bin/env bash
# CPU per request of each thread group of a running application, while wrk drives one endpoint (docs/PERFORMANCE.md,
# "Metering", "Where the time goes"). Threads are grouped by name without their trailing number (all Tomcat workers
# together, both C2 compiler threads together, ...); /proc ticks are 10 ms, so run long enough (15 s or more).
#
#   bench/load/thread-cpu.sh <app pid> <url> [seconds] [header]
#   e.g. bench/load/thread-cpu.sh 12345 http://127.0.0.1:8080/api/me 20 "X-API-Key: clc_live_..."
#
# Loopback only; needs wrk. Run it a few times after start: the first minute is dominated by the JIT compilers.
set -euo pipefail
pid=${1:?app pid}; url=${2:?url}; secs=${3:-20}; header=${4:-}
case "$url" in http://127.0.0.1:*|http://localhost:*) ;; *) echo "loopback URLs only" >&2; exit 2 ;; esac
snap() {
    for t in /proc/"$pid"/task/*; do
        printf '%s|%s\n' "$(cat "$t/comm" 2>/dev/null)" "$(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)"
    done | sed -E 's/[-#]?[0-9]+\|/|/' | awk -F'|' '{a[$1] += $2} END {for (k in a) print k "|" a[k]}' | sort
}
before=$(mktemp); after=$(mktemp); trap 'rm -f "$before" "$after"' EXIT
snap >"$before"
if [ -n "$header" ]; then out=$(wrk -t1 -c16 -d"${secs}s" -H "$header" "$url"); else out=$(wrk -t1 -c16 -d"${secs}s" "$url"); fi
snap >"$after"
rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
echo "requests/s: $rps ($(echo "$out" | grep -c 'Non-2xx' || true) lines of non-2xx)"
join -t'|' "$before" "$after" | awk -F'|' -v r="$rps" -v d="$secs" \
    '{ u = ($3 - $2) * 10000 / (r * d); if (u >= 0.5) printf "%7.1f µs/request  %s\n", u, $1 }' | sort -rn
