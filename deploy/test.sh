#!/usr/bin/env bash
# shellcheck disable=SC2317  # finish() is called through trap
# API and browser tests against a throw-away stack:  deploy/test.sh BINARY
# (the C unit tests are run by the Makefile). The stack lives in a fresh directory under
# build/test-var/ that is removed at the end unless KEEP_VAR=1. Any sanitizer report written
# by the app (ASan/UBSan/LSan, log_path=VAR/log/sanitizer.*) fails the run.
# Exported for the tests: MESSLY_URL, MESSLY_VAR, MESSLY_NGINX_PID, MESSLY_BIN, MESSLY_DB and the
# rest of the app's environment (see stack_env in deploy/stack.sh), MESSLY_FAULT_FILE (the
# test-only fault points, cgi/fault.h) and MESSLY_REPORT_DIR (figures for `make check-security`).
# The API, browser and deployment tests run first, then tests/faults/ (it restarts PostgreSQL
# and nginx). MESSLY_TESTS="tests/api/hostile.test.mjs tests/faults/" runs only those
# (make test-multinode sets tests/multinode/).
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 BINARY" >&2; exit 2; }

# shellcheck source=deploy/stack.sh
. "$(dirname "$0")/stack.sh"

BIN=$1
[[ -x $BIN ]] || { stack_die "app binary not found or not executable: $BIN (run 'make MODE=test' first)"; exit 1; }
BIN=$(cd "$(dirname "$BIN")" && pwd -P)/$(basename "$BIN")
cd "$STACK_ROOT"

base=$STACK_ROOT/build/test-var
mkdir -p "$base"
VAR=$(mktemp -d "$base/XXXXXX")
# unix socket paths are limited to 107 bytes; sanitizer option lists are ':'-separated
if ((${#VAR} + 30 > 107)) || [[ $VAR == *:* ]]; then
    rmdir "$VAR"
    VAR=$(mktemp -d /tmp/messly-test.XXXXXX)
    stack_msg "checkout path too long for unix sockets; using $VAR instead"
fi
PORT=$(free_port)

REPORT_DIR=${MESSLY_REPORT_DIR:-$STACK_ROOT/build/report}
mkdir -p "$REPORT_DIR"
export MESSLY_REPORT_DIR=$REPORT_DIR

FAILED=()
DONE=0
# Figures for `make check-security`: sanitizer reports, and crashes = workers that died of a
# signal other than SIGKILL (the fault test's and the process test's own kills) or exited
# non-zero, plus nginx workers that exited on a signal.
write_reports() {
    local n=0 f crashes=0 c
    for f in "$VAR"/log/sanitizer*; do [[ -e $f ]] && n=$((n + 1)); done
    if [[ -f $VAR/log/messly.log ]]; then
        c=$(grep -cE 'died of signal ([0-8]|[1-9][0-9])$|exited with status' "$VAR/log/messly.log" || true)
        crashes=$((crashes + c))
    fi
    if [[ -f $VAR/log/nginx-error.log ]]; then
        c=$(grep -c 'exited on signal' "$VAR/log/nginx-error.log" || true)
        crashes=$((crashes + c))
    fi
    printf '{"sanitizer_reports": %d, "crashes": %d}\n' "$n" "$crashes" >"$REPORT_DIR/stack.json"
}
finish() {
    local rc=$?
    trap '' INT TERM HUP
    ((DONE == 0)) || exit "$rc"
    DONE=1
    stack_stop "$VAR"   # first: leak reports are written when the workers exit
    write_reports

    local f found=0
    for f in "$VAR"/log/sanitizer*; do
        [[ -e $f ]] || continue
        found=1
        echo "===== sanitizer report: ${f#"$VAR"/} =====" >&2
        cat "$f" >&2
    done
    ((found == 0)) || FAILED+=("sanitizer reports")
    ((rc == 0)) || ((${#FAILED[@]} > 0)) || FAILED+=("test.sh (exit $rc)")

    if ((${#FAILED[@]} > 0)); then
        for f in messly.log nginx-error.log postgresql.log; do
            [[ -s $VAR/log/$f ]] || continue
            echo "===== last lines of $f =====" >&2
            tail -n 40 "$VAR/log/$f" >&2
        done
    fi
    if [[ ${KEEP_VAR:-0} == 1 ]]; then
        stack_msg "kept $VAR (KEEP_VAR=1)"
    else
        rm -rf "$VAR"
        rmdir "$base" 2>/dev/null || true
    fi
    if ((${#FAILED[@]} > 0)); then
        stack_msg "FAILED: ${FAILED[*]}"
        exit 1
    fi
    stack_msg "all API/browser tests passed"
    exit 0
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Sanitizers: reports go to files (the workers' stderr is only a log); detect_leaks at exit.
SAN_LOG=$VAR/log/sanitizer
export ASAN_OPTIONS="log_path=$SAN_LOG:detect_leaks=1:abort_on_error=0:print_summary=1"
export UBSAN_OPTIONS="log_path=$SAN_LOG:print_stacktrace=1:halt_on_error=1"
LSAN_OPTIONS="print_suppressions=0"
[[ -f $STACK_ROOT/tests/lsan.supp ]] && LSAN_OPTIONS+=":suppressions=$STACK_ROOT/tests/lsan.supp"
export LSAN_OPTIONS
export MESSLY_SCRYPT_N=1024          # cheap password hashing for tests
export MESSLY_FAULT_FILE=$VAR/run/fault
# Limits: the suite itself talks from 127.0.0.1, which is exempt from the per-address limits
# (app and nginx); tests/api/limits.test.mjs checks them from other loopback addresses.
export MESSLY_LIMIT_EXEMPT=127.0.0.1 STACK_LIMIT_EXEMPT=127.0.0.1
export MESSLY_LIMIT_LOGIN_ADDR=10 MESSLY_LIMIT_REGISTER_ADDR=5   # small, so the test reaches them fast
export MESSLY_LIMIT_SEND_BURST=50 MESSLY_LIMIT_SEND_PER_MINUTE=3000
export MESSLY_MAX_UPLOAD=5242880     # a 5 MiB upload cap, so the 413 tests stay light
export MESSLY_TOOLS=$(dirname "$BIN")/tools   # tests/tools/mkimage (make tools)
# presence: a short heartbeat time-to-live, so a test sees a lapsed heartbeat in seconds
export MESSLY_PRESENCE_TTL=${MESSLY_PRESENCE_TTL:-8}

stack_init "$VAR" "$PORT"
stack_start_pg "$VAR"
stack_env "$VAR" "$PORT"
STACK_APP_LOG_TO_TERMINAL=0 stack_start_app "$BIN" "$VAR" "${MESSLY_WORKERS:-2}"
stack_start_nginx "$VAR" "$PORT" 5r/s 20

export MESSLY_URL=http://127.0.0.1:$PORT
export MESSLY_VAR=$VAR
export MESSLY_NGINX_PID=$STACK_NGINX_PID
export MESSLY_BIN=$BIN               # tests/deploy start more nodes and run the commands
stack_msg "stack up at $MESSLY_URL (state in $VAR)"

run_node_tests() {
    stack_msg "node --test --test-concurrency=1 $*"
    node --test --test-concurrency=1 "$@" || FAILED+=("node tests: $*")
}
if [[ -n ${MESSLY_TESTS:-} ]]; then
    # shellcheck disable=SC2086  # a list of paths
    run_node_tests $MESSLY_TESTS
else
    dirs=()
    for d in tests/api tests/browser tests/deploy; do
        if [[ -d $d ]] && [[ -n $(find "$d" -name '*.test.mjs' -print -quit) ]]; then
            dirs+=("$d/")
        fi
    done
    if ((${#dirs[@]} == 0)); then
        stack_msg "no *.test.mjs files under tests/api, tests/browser or tests/deploy; nothing to run"
    else
        run_node_tests "${dirs[@]}"
    fi
    run_node_tests tests/faults/
fi
exit 0
