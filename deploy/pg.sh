#!/usr/bin/env bash
# Start or stop only the PostgreSQL of a stack:  deploy/pg.sh VAR start|stop
# (used by the tests that check what users see while the database is down).
set -euo pipefail
# shellcheck source=deploy/stack.sh
. "$(dirname "$0")/stack.sh"
[[ $# -eq 2 ]] || { echo "usage: $0 VAR start|stop" >&2; exit 2; }
case $2 in
start) stack_start_pg "$1" ;;
stop) stack_stop_pg "$1" ;;
*) echo "usage: $0 VAR start|stop" >&2; exit 2 ;;
esac
