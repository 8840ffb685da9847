#!/usr/bin/env bash
# Run the whole Messly stack locally in the foreground:  deploy/run-local.sh BINARY
#   PORT            public port on 127.0.0.1 (default 8080)
#   MESSLY_WORKERS  FastCGI workers (default: number of CPUs)
# State (database, secret, logs) lives in <repo>/var and is kept between runs.
# Ctrl-C, SIGTERM or SIGHUP -- or the death of the parent process (e.g. `make run` killed) --
# stops everything this script started.
set -euo pipefail

usage() { echo "usage: PORT=8080 $0 BINARY" >&2; exit 2; }
[[ $# -eq 1 ]] || usage

# shellcheck source=deploy/stack.sh
. "$(dirname "$0")/stack.sh"

BIN=$1
PORT=${PORT:-8080}
VAR=$STACK_ROOT/var
WORKERS=${MESSLY_WORKERS:-$(nproc 2>/dev/null || echo 2)}

if ! [[ $PORT =~ ^[0-9]+$ ]] || ((PORT < 1 || PORT > 65535)); then
    stack_die "bad PORT '$PORT'" || exit 2
fi
[[ -x $BIN ]] || { stack_die "app binary not found or not executable: $BIN (run 'make' first)"; exit 1; }

mkdir -p "$VAR/run"
if pid=$(_stack_pidfile_alive "$VAR/run/run-local.pid" run-local); then
    stack_die "Messly is already running from $VAR (run-local pid $pid); stop it first"
    exit 1
fi
# Leftovers of a run that was killed with SIGKILL (its processes were in their own sessions).
stack_stop "$VAR"
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    stack_die "port $PORT on 127.0.0.1 is already in use; choose another one with PORT=..."
    exit 1
fi

# Parent pid as it is now; if it changes or dies, our caller is gone and so are we.
parent_pid() {
    local s
    s=$(</proc/$$/stat)
    s=${s##*) }             # fields after "(comm) ": state ppid ...
    # shellcheck disable=SC2086
    set -- $s
    printf '%s' "$2"
}
PARENT=$(parent_pid)

CLEANED=0
cleanup() {
    local rc=$?
    trap '' INT TERM HUP
    if ((CLEANED == 0)); then
        CLEANED=1
        echo >&2
        stack_msg "shutting down"
        stack_stop "$VAR"
        rm -f "$VAR/run/run-local.pid"
        stack_msg "stopped; data kept in $VAR"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

printf '%s\n' "$$" >"$VAR/run/run-local.pid"

stack_init "$VAR" "$PORT"
stack_start_pg "$VAR"
stack_env "$VAR" "$PORT"
STACK_APP_LOG_TO_TERMINAL=1 stack_start_app "$BIN" "$VAR" "$WORKERS"
stack_start_nginx "$VAR" "$PORT" 5r/s 20

echo "Messly is running at http://127.0.0.1:$PORT"
stack_msg "logs in $VAR/log; press Ctrl-C to stop"

while :; do
    if ! kill -0 "$STACK_APP_PID" 2>/dev/null; then
        stack_die "the app (pid $STACK_APP_PID) exited; see $VAR/log/messly.log" || true
        exit 1
    fi
    if ! kill -0 "$STACK_NGINX_PID" 2>/dev/null; then
        stack_die "nginx (pid $STACK_NGINX_PID) exited; see $VAR/log/nginx-error.log" || true
        exit 1
    fi
    now=$(parent_pid 2>/dev/null || echo 0)
    if [[ $now != "$PARENT" ]] || { [[ $PARENT -gt 1 ]] && ! kill -0 "$PARENT" 2>/dev/null; }; then
        stack_msg "parent process $PARENT is gone"
        exit 143
    fi
    sleep 1 &
    wait $! || true
done
