#!/usr/bin/env bash
# Reload or restart only the nginx of a stack:  deploy/nginx.sh VAR reload|restart
# (used by the fault test). restart prints the new master's pid on stdout.
set -euo pipefail
# shellcheck source=deploy/stack.sh
. "$(dirname "$0")/stack.sh"
[[ $# -eq 2 ]] || { echo "usage: $0 VAR reload|restart" >&2; exit 2; }
VAR=$(_stack_abs "$1")
case $2 in
reload)
    pid=$(_stack_pidfile_alive "$VAR/run/nginx.master" nginx) || { stack_die "nginx of $VAR is not running"; exit 1; }
    kill -HUP "$pid"
    ;;
restart)
    stack_restart_nginx "$VAR" >&2
    printf '%s\n' "$STACK_NGINX_PID"
    ;;
*) echo "usage: $0 VAR reload|restart" >&2; exit 2 ;;
esac
