#!/usr/bin/env bash
# shellcheck disable=SC2317  # finish() is called through trap
# `make bench`: Messly's performance against this machine's own limits, measured in the
# same run.   tests/bench/run.sh BINARY BENCHDIR   (BENCHDIR holds loadgen and limit)
# Starts a throw-away stack (deploy/stack.sh, like deploy/test.sh) under build/bench-var/,
# adds the yardstick (tests/bench/limit.c) behind the same nginx as a second location
# (/bench/), seeds data (tests/bench/seed.sql), runs tests/bench/bench.mjs (the scenarios,
# the table, tests/bench/results.json) and stops everything. Everything on 127.0.0.1.
#   BENCH_WORKERS  FastCGI processes for Messly and for the yardstick (default 4)
#   BENCH_AUTH_WORKERS  Messly's auth pool for /login and /register (default 1)
#   BENCH_ONLY     comma-separated scenario names to run (default: all)
#   KEEP_VAR=1     keep the stack's directory
set -euo pipefail

[[ $# -eq 2 ]] || { echo "usage: $0 BINARY BENCHDIR" >&2; exit 2; }
# shellcheck source=deploy/stack.sh
. "$(dirname "$0")/../../deploy/stack.sh"

BIN=$(cd "$(dirname "$1")" && pwd -P)/$(basename "$1")
TOOLS=$(cd "$2" && pwd -P)
[[ -x $BIN && -x $TOOLS/loadgen && -x $TOOLS/limit ]] || { stack_die "build first: $BIN, $TOOLS/{loadgen,limit}"; exit 1; }
cd "$STACK_ROOT"
WORKERS=${BENCH_WORKERS:-4}

# 20,000 WebSockets need file descriptors: raise the soft limit to the hard one.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

base=$STACK_ROOT/build/bench-var
mkdir -p "$base"
VAR=$(mktemp -d "$base/XXXXXX")
if ((${#VAR} + 30 > 107)); then
    rmdir "$VAR"
    VAR=$(mktemp -d /tmp/messly-bench.XXXXXX)
fi
PORT=$(free_port)
LIMIT_PID=""

finish() {
    local rc=$?
    trap '' INT TERM HUP
    if [[ -n $LIMIT_PID ]]; then
        kill -TERM -- "-$LIMIT_PID" 2>/dev/null || kill -TERM "$LIMIT_PID" 2>/dev/null || true
    fi
    stack_stop "$VAR"
    if ((rc != 0)); then
        for f in messly.log limit.log nginx-error.log postgresql.log; do
            [[ -s $VAR/log/$f ]] || continue
            echo "===== last lines of $f =====" >&2
            tail -n 30 "$VAR/log/$f" >&2
        done
    fi
    if [[ ${KEEP_VAR:-0} == 1 ]]; then
        stack_msg "kept $VAR (KEEP_VAR=1)"
    else
        rm -rf "$VAR"
        rmdir "$base" 2>/dev/null || true
    fi
    exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The bench's nginx is the stack's own configuration plus, in the public server, the
# yardstick's locations: /bench/send and /bench/hello (FastCGI to limit.sock) and
# /bench/sub/CHANNEL (a plain nchan WebSocket subscriber, for the yardstick's latency).
# worker_connections is pinned at 16384 (the template takes it from the hard limit) so that 20,000 sockets fit.
eval "$(declare -f stack_render_nginx | sed '1s/^stack_render_nginx/_bench_render_nginx_stock/')"
stack_render_nginx() {
    _bench_render_nginx_stock "$@" || return 1
    local var=$1 conf=$1/nginx/nginx.conf
    awk -v var="$var" '
        /^[[:space:]]*worker_connections / { print "    worker_connections 16384;"; next }
        /^        location \/ \{/ && !done {
            print "        location /bench/ {"
            print "            fastcgi_pass unix:" var "/run/limit.sock;"
            print "            include /etc/nginx/fastcgi_params;"
            print "        }"
            print "        location ~ ^/bench/sub/(.+)$ {"
            print "            nchan_subscriber websocket;"
            print "            nchan_channel_id $1;"
            print "            nchan_subscriber_first_message newest;"
            print "        }"
            done = 1
        }
        { print }' "$conf" >"$conf.bench" && mv "$conf.bench" "$conf"
}

# Production password cost (the default of cgi/config.c), stated explicitly.
export MESSLY_SCRYPT_N=32768
export MESSLY_WORKERS=$WORKERS
# the auth pool (/login, /register): its own processes, besides the workers
export MESSLY_AUTH_WORKERS=${BENCH_AUTH_WORKERS:-1}
# The load comes from 127.0.0.1 at thousands of requests a second: exempt it from the
# per-address limits (nginx's and the app's), and lift the per-user send budget so that
# its upsert is still paid on every send but never refuses one.
export STACK_LIMIT_EXEMPT=127.0.0.1 MESSLY_LIMIT_EXEMPT=127.0.0.1
export MESSLY_LIMIT_SEND_BURST=1000000 MESSLY_LIMIT_SEND_PER_MINUTE=1000000

stack_init "$VAR" "$PORT"
stack_start_pg "$VAR"
stack_env "$VAR" "$PORT"
STACK_APP_LOG_TO_TERMINAL=0 stack_start_app "$BIN" "$VAR" "$WORKERS"
# login/register limited at 100000 r/s: the login scenario measures scrypt, not the throttle
stack_start_nginx "$VAR" "$PORT" 100000r/s 100000

PSQL=("$(_stack_pg_bindir)/psql" -X -q -h "$VAR/pgrun" -U postgres -d messly -v ON_ERROR_STOP=1)
"${PSQL[@]}" -f tests/bench/limit.sql >/dev/null

# (its PostgreSQL connections are named, so that the stack's memory leaves them out)
PGAPPNAME=messly-bench-limit setsid "$TOOLS/limit" "$VAR/run/limit.sock" "$WORKERS" </dev/null >>"$VAR/log/limit.log" 2>&1 &
LIMIT_PID=$!
disown "$LIMIT_PID" 2>/dev/null || true
for ((i = 0; i < 100; i++)); do
    [[ -S $VAR/run/limit.sock ]] && break
    sleep 0.1
done
[[ -S $VAR/run/limit.sock ]] || { stack_die "the yardstick did not start (log $VAR/log/limit.log)"; exit 1; }

export BENCH_URL=http://127.0.0.1:$PORT BENCH_PORT=$PORT BENCH_VAR=$VAR BENCH_TOOLS=$TOOLS
export BENCH_WORKERS=$WORKERS BENCH_APP_PID=$STACK_APP_PID BENCH_NGINX_PID=$STACK_NGINX_PID
export BENCH_LIMIT_PID=$LIMIT_PID BENCH_PGBIN BENCH_MKIMAGE=$TOOLS/../tools/mkimage
BENCH_PGBIN=$(_stack_pg_bindir)
stack_msg "stack up at $BENCH_URL (state in $VAR, $WORKERS workers each for Messly and the yardstick)"
node tests/bench/bench.mjs
