# shellcheck shell=bash
# Messly local stack: PostgreSQL + the messly FastCGI workers + nginx/nchan, all under one
# state directory VAR (run/ log/ pg/ pgrun/ nginx/ secret). Sourced by deploy/run-local.sh
# and deploy/test.sh; safe under `set -euo pipefail`.
#
#   stack_init VAR PORT                     create VAR, initdb (first time), secret (first time)
#   stack_start_pg VAR                      start PostgreSQL, create database "messly"
#   stack_env VAR PORT                      export MESSLY_* for the app and the tests
#   stack_start_app BINARY VAR [WORKERS]    BINARY migrate; BINARY serve --workers N (background)
#   stack_start_nginx VAR PORT RATE BURST   render nginx/messly.conf.in, start nginx (background)
#   stack_restart_nginx VAR                 stop nginx, start it again on its rendered config
#   stack_stop VAR                          stop app, nginx, PostgreSQL; never fails
#   free_port                               print a free TCP port on 127.0.0.1
#
# When run as root, PostgreSQL runs as the "postgres" user (runuser), nginx workers as root.
# Processes are started in their own sessions (setsid), so that Ctrl-C goes to the calling
# script only and stack_stop can take down a whole process group; pids are kept in VAR/run/.

STACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
STACK_APP_LOG_TO_TERMINAL=${STACK_APP_LOG_TO_TERMINAL:-1}
# Addresses (space- or comma-separated) exempt from nginx's per-address limits; the test
# suite exempts its own 127.0.0.1 and tests the limits from other loopback addresses.
STACK_LIMIT_EXEMPT=${STACK_LIMIT_EXEMPT:-}
# Set by stack_start_app / stack_start_nginx: pids of the app master and the nginx master.
export STACK_APP_PID="" STACK_NGINX_PID=""

stack_msg() { printf '[stack] %s\n' "$*" >&2; }
stack_die() { printf '[stack] ERROR: %s\n' "$*" >&2; return 1; }

_stack_is_root() { [[ $(id -u) -eq 0 ]]; }

# Absolute path of a directory (it must exist).
_stack_abs() { (cd "$1" && pwd -P); }

# Run a command as the PostgreSQL owner: "postgres" when we are root, else ourselves.
# cd / first: a 0700 working directory would otherwise make initdb/pg_ctl complain.
_stack_as_pg() {
    if _stack_is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Directory with initdb/pg_ctl/postgres/psql: newest /usr/lib/postgresql/*/bin, else pg_config.
_stack_pg_bindir() {
    local d best="" v bestv=-1
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x $d/initdb && -x $d/pg_ctl ]] || continue
        v=${d#/usr/lib/postgresql/}; v=${v%%/*}; v=${v%%.*}
        [[ $v =~ ^[0-9]+$ ]] || continue
        if ((v > bestv)); then bestv=$v; best=$d; fi
    done
    if [[ -z $best ]] && command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir 2>/dev/null || true)
        [[ -n $d && -x $d/initdb ]] && best=$d
    fi
    if [[ -z $best ]]; then
        stack_die "PostgreSQL server binaries (initdb, pg_ctl) not found; run deploy/install-deps.sh"
        return 1
    fi
    printf '%s\n' "$best"
}

# Escape a value for the replacement side of a sed s|||.
_stack_sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# Is the process in PIDFILE alive (and, if PATTERN given, does its command line match)?
_stack_pidfile_alive() {
    local pidfile=$1 pattern=${2:-} pid cmd
    [[ -s $pidfile ]] || return 1
    pid=$(head -n1 "$pidfile" 2>/dev/null | tr -dc '0-9')
    [[ -n $pid ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -n $pattern ]]; then
        cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
        [[ $cmd == *"$pattern"* ]] || return 1
    fi
    printf '%s\n' "$pid"
}

# Is any process of process group PGID still alive?
_stack_group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# Send SIG to process group PGID (fallback: the pid), wait up to SECS for the group to vanish.
_stack_wait_group_gone() {
    local pgid=$1 secs=$2 i
    for ((i = 0; i < secs * 10; i++)); do
        _stack_group_alive "$pgid" || kill -0 "$pgid" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# Check that a unix socket path fits into sun_path (108 bytes including the NUL).
_stack_check_sockpath() {
    if ((${#1} > 107)); then
        stack_die "socket path too long for a unix socket (${#1} > 107 bytes): $1 -- use a shorter state directory"
        return 1
    fi
}

# Let the postgres user traverse every ancestor of DIR (adds o+x only, and says so).
# Top-down, so that each check sees only its own directory's permissions.
_stack_pg_traverse() {
    local d=$1 mode i
    local -a chain=()
    while [[ $d != / && -n $d ]]; do
        d=$(dirname "$d")
        chain+=("$d")
    done
    for ((i = ${#chain[@]} - 1; i >= 0; i--)); do
        d=${chain[i]}
        if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
            mode=$(stat -c %A "$d")
            stack_msg "adding o+x to $d ($mode) so that the postgres user can reach the state directory"
            chmod o+x "$d"
        fi
    done
}

stack_init() {
    local var=$1 port=${2:-}
    [[ -n $var ]] || { stack_die "stack_init VAR PORT: VAR missing"; return 1; }
    mkdir -p "$var"
    var=$(_stack_abs "$var")
    _stack_check_sockpath "$var/run/nchan-pub.sock" || return 1
    _stack_check_sockpath "$var/run/messly-auth.sock" || return 1
    _stack_check_sockpath "$var/pgrun/.s.PGSQL.5432.lock" || return 1

    local d
    for d in run log pg pgrun nginx nginx/tmp files; do mkdir -p "$var/$d"; done
    chmod 0700 "$var/files"            # user files: the app and nginx only
    chmod 0711 "$var"                 # others (postgres) may traverse, not list
    chmod 0700 "$var/run" "$var/nginx" # FastCGI and publisher sockets: owner only
    chmod 0755 "$var/log"

    local pg_log=$var/log/postgresql.log
    touch "$pg_log"
    if _stack_is_root; then
        id -u postgres >/dev/null 2>&1 || { stack_die "user 'postgres' does not exist (is the postgresql package installed?)"; return 1; }
        chown postgres: "$var/pg" "$var/pgrun" "$pg_log"
        _stack_pg_traverse "$var/pg"
        if ! runuser -u postgres -- test -w "$var/pg"; then
            stack_die "the postgres user cannot write $var/pg"
            return 1
        fi
    fi
    chmod 0700 "$var/pg" "$var/pgrun"

    local bindir
    bindir=$(_stack_pg_bindir) || return 1
    if [[ ! -s $var/pg/PG_VERSION ]]; then
        local locale=C
        if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale=C.UTF-8; fi
        stack_msg "initdb $var/pg (locale $locale; $("$bindir/postgres" --version))"
        if ! _stack_as_pg "$bindir/initdb" -D "$var/pg" -A trust -U postgres \
                --encoding=UTF8 --locale="$locale" >"$var/log/initdb.log" 2>&1; then
            cat "$var/log/initdb.log" >&2
            stack_die "initdb failed (log: $var/log/initdb.log)"
            return 1
        fi
        printf "\n# Messly local stack settings (regenerated on every start)\ninclude_if_exists = 'messly.conf'\n" \
            | _stack_as_pg tee -a "$var/pg/postgresql.conf" >/dev/null
    fi
    # Settings that depend on VAR are rewritten on every start (the checkout may have moved).
    local sockdir=${var//\'/\'\'}/pgrun
    _stack_as_pg tee "$var/pg/messly.conf" >/dev/null <<EOF
# written by deploy/stack.sh; edits are lost on the next start
listen_addresses = ''
unix_socket_directories = '$sockdir'
unix_socket_permissions = 0700
fsync = on
synchronous_commit = on
full_page_writes = on
shared_buffers = 128MB
logging_collector = off
log_destination = 'stderr'
log_line_prefix = '%m [%p] %q%u@%d '
EOF

    if [[ ! -s $var/secret ]]; then
        stack_msg "creating $var/secret"
        (
            umask 077
            head -c 32 /dev/urandom | od -An -vtx1 | tr -d ' \n' >"$var/secret.tmp"
            printf '\n' >>"$var/secret.tmp"
        )
        if [[ $(head -c 64 "$var/secret.tmp" | tr -dc '0-9a-f' | wc -c) -ne 64 ]]; then
            rm -f "$var/secret.tmp"
            stack_die "could not create the secret"
            return 1
        fi
        mv "$var/secret.tmp" "$var/secret"
    fi
    chmod 0600 "$var/secret"
    : "$port"
}

# A postmaster.pid left by a killed server whose pid now belongs to some other process makes
# PostgreSQL refuse to start ("lock file already exists"); remove such stale lock files.
_stack_pg_clear_stale_lock() {
    local var=$1 pid cmd f
    [[ -s $var/pg/postmaster.pid ]] || return 0
    pid=$(head -n1 "$var/pg/postmaster.pid" | tr -dc '0-9')
    [[ -n $pid ]] || return 0
    cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    if [[ $cmd == *postgres* ]]; then
        return 0
    fi
    stack_msg "removing stale PostgreSQL lock files (pid $pid is not a PostgreSQL server)"
    rm -f "$var/pg/postmaster.pid"
    for f in "$var"/pgrun/.s.PGSQL.*.lock; do
        [[ -e $f ]] && rm -f "$f"
    done
    return 0
}

stack_start_pg() {
    local var
    var=$(_stack_abs "$1") || return 1
    local bindir
    bindir=$(_stack_pg_bindir) || return 1
    _stack_pg_clear_stale_lock "$var"
    if _stack_as_pg "$bindir/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then
        stack_msg "PostgreSQL already running on $var/pgrun"
    else
        stack_msg "starting PostgreSQL (socket in $var/pgrun, log $var/log/postgresql.log)"
        if ! _stack_as_pg "$bindir/pg_ctl" -D "$var/pg" -l "$var/log/postgresql.log" -w -t 60 start >/dev/null; then
            tail -n 20 "$var/log/postgresql.log" >&2 || true
            stack_die "PostgreSQL did not start (log: $var/log/postgresql.log)"
            return 1
        fi
    fi
    local psql=("$bindir/psql" -X -q -h "$var/pgrun" -U postgres -v ON_ERROR_STOP=1)
    local have
    have=$(PGCONNECT_TIMEOUT=10 "${psql[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'messly'") || {
        stack_die "cannot connect to PostgreSQL at $var/pgrun"
        return 1
    }
    if [[ $have != 1 ]]; then
        stack_msg "creating database messly"
        "${psql[@]}" -d postgres -c 'CREATE DATABASE messly' >/dev/null
    fi
}

stack_env() {
    local var port=$2
    var=$(_stack_abs "$1") || return 1
    export MESSLY_DB="host=$var/pgrun dbname=messly user=postgres connect_timeout=3"
    export MESSLY_SOCKET=$var/run/messly.sock
    export MESSLY_PUBLISH_SOCKET=$var/run/nchan-pub.sock
    export MESSLY_SECRET_FILE=$var/secret
    export MESSLY_HOME=$STACK_ROOT
    export MESSLY_ORIGIN=http://127.0.0.1:$port
    # Only these settings: never an /etc/messly/messly.conf of this machine.
    export MESSLY_CONFIG=/dev/null
    # files: the blob store outside the web root, the upload cap, and ImageMagick under the
    # project's own policy (checked by every worker at start-up), one thread per decode
    export MESSLY_FILES_DIR=${MESSLY_FILES_DIR:-$var/files}
    export MESSLY_MAX_UPLOAD=${MESSLY_MAX_UPLOAD:-52428800}
    export MAGICK_CONFIGURE_PATH=$STACK_ROOT/deploy/imagemagick
    export MAGICK_THREAD_LIMIT=1 OMP_NUM_THREADS=1
}

# Render nginx/messly.conf.in into VAR/nginx/nginx.conf.
stack_render_nginx() {
    local var=$1 port=$2 rate=$3 burst=$4 user_expr geo="" a
    for a in ${STACK_LIMIT_EXEMPT//,/ }; do
        [[ $a =~ ^[0-9a-fA-F.:/]+$ ]] || { stack_die "bad address in STACK_LIMIT_EXEMPT: $a"; return 1; }
        geo+="$a 1; "
    done
    local tmpl=$STACK_ROOT/nginx/messly.conf.in out=$var/nginx/nginx.conf
    # uploads: nginx stops bodies well over the app's own cap (MESSLY_MAX_UPLOAD, checked on
    # the bytes read, with a message in the user's language); 1 MiB of room for the form
    local files=${MESSLY_FILES_DIR:-$var/files} max_upload=${MESSLY_MAX_UPLOAD:-52428800}
    [[ $max_upload =~ ^[0-9]+$ ]] || { stack_die "bad MESSLY_MAX_UPLOAD '$max_upload'"; return 1; }
    mkdir -p "$files"
    files=$(_stack_abs "$files") || return 1
    [[ -f $tmpl ]] || { stack_die "missing $tmpl"; return 1; }
    # descriptors for the workers: the hard limit (which a worker may raise its own to),
    # at most 65536; connections a worker: 4/5 of that, between 1024 and 16384
    local nofile wconn
    nofile=$(ulimit -Hn)
    [[ $nofile =~ ^[0-9]+$ ]] || nofile=65536
    (( nofile > 65536 )) && nofile=65536
    wconn=$(( nofile * 4 / 5 ))
    (( wconn > 16384 )) && wconn=16384
    (( wconn < 1024 )) && wconn=1024
    if _stack_is_root; then
        user_expr="s|@USER@|root|g"    # workers must read a checkout that may sit in a 0700 dir
    else
        user_expr='/^[[:space:]]*user[[:space:]]\{1,\}@USER@;/d'
    fi
    {
        printf '# GENERATED from %s by deploy/stack.sh -- edits are lost on the next start\n' "$tmpl"
        sed -e '/^[[:space:]]*#.*@[A-Z_]\{1,\}@/d' \
            -e "$user_expr" \
            -e "s|@PORT@|$(_stack_sed_escape "$port")|g" \
            -e "s|@ORIGIN@|$(_stack_sed_escape "http://127.0.0.1:$port")|g" \
            -e "s|@ROOT@|$(_stack_sed_escape "$STACK_ROOT")|g" \
            -e "s|@VAR@|$(_stack_sed_escape "$var")|g" \
            -e "s|@AUTH_RATE@|$(_stack_sed_escape "$rate")|g" \
            -e "s|@AUTH_BURST@|$(_stack_sed_escape "$burst")|g" \
            -e "s|@LIMIT_EXEMPT_GEO@|$(_stack_sed_escape "$geo")|g" \
            -e "s|@FILES@|$(_stack_sed_escape "$files")|g" \
            -e "s|@NOFILE@|$nofile|g" -e "s|@WORKER_CONNECTIONS@|$wconn|g" \
            -e "s|@UPLOAD_BODY_MAX@|$((max_upload + 1048576))|g" \
            "$tmpl"
    } >"$out.tmp"
    if grep -n '@[A-Z_]\{1,\}@' "$out.tmp" >&2; then
        stack_die "unsubstituted placeholders in $out.tmp"
        return 1
    fi
    mv "$out.tmp" "$out"
}

stack_start_nginx() {
    local var port=$2 rate=${3:-5r/s} burst=${4:-20}
    var=$(_stack_abs "$1") || return 1
    [[ $port =~ ^[0-9]+$ ]] || { stack_die "stack_start_nginx: bad port '$port'"; return 1; }
    command -v nginx >/dev/null 2>&1 || { stack_die "nginx not found; run deploy/install-deps.sh"; return 1; }
    local pid
    if pid=$(_stack_pidfile_alive "$var/run/nginx.pid" nginx); then
        stack_die "nginx for $var is already running (pid $pid); run stack_stop first"
        return 1
    fi
    mkdir -p "$var/nginx/tmp"
    stack_render_nginx "$var" "$port" "$rate" "$burst" || return 1
    local conf=$var/nginx/nginx.conf
    if ! nginx -p "$var/nginx" -e "$var/log/nginx-error.log" -c "$conf" -t -q 2>"$var/log/nginx-test.log"; then
        cat "$var/log/nginx-test.log" >&2
        stack_die "nginx -t failed for $conf"
        return 1
    fi
    _stack_launch_nginx "$var" "$port"
}

# Start nginx on VAR's rendered config and wait until it answers on PORT.
_stack_launch_nginx() {
    local var=$1 port=$2 pid
    local conf=$var/nginx/nginx.conf
    rm -f "$var/run/nchan-pub.sock"     # a stale socket from a killed run would make bind() fail
    stack_msg "starting nginx on 127.0.0.1:$port (config $conf)"
    # stdout/stderr to the error log: a caller that reads our output (deploy/nginx.sh run
    # from a test) must not wait for nginx to close it
    setsid nginx -p "$var/nginx" -e "$var/log/nginx-error.log" -c "$conf" </dev/null >/dev/null 2>>"$var/log/nginx-error.log" &
    pid=$!
    disown "$pid" 2>/dev/null || true
    printf '%s\n' "$pid" >"$var/run/nginx.master"
    local i
    for ((i = 0; i < 200; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$var/log/nginx-error.log" >&2 || true
            stack_die "nginx exited during startup (log: $var/log/nginx-error.log)"
            return 1
        fi
        if [[ -S $var/run/nchan-pub.sock ]] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            STACK_NGINX_PID=$pid
            return 0
        fi
        sleep 0.1
    done
    stack_die "nginx did not answer on 127.0.0.1:$port within 20 s"
    return 1
}

# Restart nginx the way an operator would (stop, then start with the same command line as
# stack_start_nginx, on the config it rendered); its pid goes to VAR/run/nginx.master and
# STACK_NGINX_PID. Every live socket is dropped and nchan's message buffer is lost.
stack_restart_nginx() {
    local var pid port
    var=$(_stack_abs "$1") || return 1
    [[ -s $var/nginx/nginx.conf ]] || { stack_die "no rendered nginx config in $var (start the stack first)"; return 1; }
    port=$(sed -n 's/^[[:space:]]*listen 127\.0\.0\.1:\([0-9]\{1,5\}\);.*/\1/p' "$var/nginx/nginx.conf" | head -n1)
    [[ -n $port ]] || { stack_die "no listen port in $var/nginx/nginx.conf"; return 1; }
    if pid=$(_stack_pidfile_alive "$var/run/nginx.master" nginx) || pid=$(_stack_pidfile_alive "$var/run/nginx.pid" nginx); then
        _stack_stop_group nginx "$pid" QUIT 3
    fi
    _stack_launch_nginx "$var" "$port"
}

stack_start_app() {
    local bin=$1 var workers=${3:-2}
    var=$(_stack_abs "$2") || return 1
    [[ -x $bin ]] || { stack_die "app binary not found or not executable: $bin (build it first)"; return 1; }
    bin=$(cd "$(dirname "$bin")" && pwd -P)/$(basename "$bin")
    [[ $workers =~ ^[1-9][0-9]*$ ]] || { stack_die "bad worker count '$workers'"; return 1; }
    local pid
    if pid=$(_stack_pidfile_alive "$var/run/messly.pid" serve); then
        stack_die "the app for $var is already running (pid $pid); run stack_stop first"
        return 1
    fi
    local log=$var/log/messly.log
    stack_msg "migrating the database ($bin migrate)"
    if ! "$bin" migrate </dev/null >>"$log" 2>&1; then
        tail -n 20 "$log" >&2 || true
        stack_die "'$bin migrate' failed (log: $log)"
        return 1
    fi
    rm -f "$var/run/messly.sock" "$var/run/messly-auth.sock" # (the auth pool's, derived from it)
    stack_msg "starting $bin serve --workers $workers (log $log)"
    if [[ $STACK_APP_LOG_TO_TERMINAL == 1 ]]; then
        # stderr to the log and the terminal. The tee is started from this shell, so that it
        # is not a child of the app (whose master reaps children); it ignores Ctrl-C/TERM so
        # the app can still log while it drains, and ends when the app closes its stderr.
        local teefd
        exec {teefd}> >(trap '' INT TERM HUP; exec tee -a "$log" >&2)
        setsid "$bin" serve --workers "$workers" </dev/null >>"$log" 2>&"$teefd" {teefd}>&- &
        pid=$!
        exec {teefd}>&-
    else
        setsid "$bin" serve --workers "$workers" </dev/null >>"$log" 2>&1 &
        pid=$!
    fi
    disown "$pid" 2>/dev/null || true   # no "Killed" job notices from bash
    printf '%s\n' "$pid" >"$var/run/messly.pid"
    local i
    for ((i = 0; i < 300; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$log" >&2 || true
            stack_die "'$bin serve' exited during startup (log: $log)"
            return 1
        fi
        if [[ -S $var/run/messly.sock ]]; then
            STACK_APP_PID=$pid
            return 0
        fi
        sleep 0.1
    done
    stack_die "'$bin serve' did not create $var/run/messly.sock within 30 s"
    return 1
}

# Stop one of our background process groups: SIG first, then SIGTERM, then SIGKILL.
_stack_stop_group() {
    local name=$1 pid=$2 first=$3 grace=$4
    stack_msg "stopping $name (pid $pid)"
    kill "-$first" "$pid" 2>/dev/null || true
    _stack_wait_group_gone "$pid" "$grace" && return 0
    if [[ $first != TERM ]]; then
        kill -TERM "$pid" 2>/dev/null || true
        _stack_wait_group_gone "$pid" 5 && return 0
    fi
    stack_msg "$name did not stop; killing process group $pid"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    _stack_wait_group_gone "$pid" 5 || true
}

stack_stop() {
    local var=$1 pid
    [[ -n $var && -d $var ]] || return 0
    var=$(_stack_abs "$var") || return 0
    {
        if pid=$(_stack_pidfile_alive "$var/run/messly.pid" serve); then
            _stack_stop_group app "$pid" TERM 15
        elif [[ -s $var/run/messly.pid ]]; then
            # the master is gone; make sure no orphaned worker of its group survives
            pid=$(tr -dc '0-9' <"$var/run/messly.pid")
            [[ -n $pid ]] && kill -KILL -- "-$pid" 2>/dev/null || true
        fi
        rm -f "$var/run/messly.pid"

        local nginx_pid=""
        nginx_pid=$(_stack_pidfile_alive "$var/run/nginx.master" nginx) ||
            nginx_pid=$(_stack_pidfile_alive "$var/run/nginx.pid" nginx) || nginx_pid=""
        if [[ -n $nginx_pid ]]; then
            _stack_stop_group nginx "$nginx_pid" QUIT 3
        fi
        rm -f "$var/run/nginx.master"

        local bindir
        if [[ -s $var/pg/PG_VERSION ]] && bindir=$(_stack_pg_bindir 2>/dev/null); then
            if _stack_as_pg "$bindir/pg_ctl" -D "$var/pg" status >/dev/null 2>&1; then
                stack_msg "stopping PostgreSQL"
                _stack_as_pg "$bindir/pg_ctl" -D "$var/pg" -m fast -w -t 60 stop >/dev/null 2>&1 ||
                    stack_msg "pg_ctl stop failed (see $var/log/postgresql.log)"
            fi
        fi
    } || true
    return 0
}

# Stop only PostgreSQL (tests use it to check the app's behaviour while the database is down).
stack_stop_pg() {
    local var bindir
    var=$(_stack_abs "$1") || return 1
    bindir=$(_stack_pg_bindir) || return 1
    _stack_as_pg "$bindir/pg_ctl" -D "$var/pg" -m fast -w -t 60 stop >/dev/null
}

free_port() {
    local port
    if command -v node >/dev/null 2>&1; then
        port=$(node -e '
            const s = require("net").createServer();
            s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });
        ' 2>/dev/null) || port=""
        if [[ $port =~ ^[0-9]+$ ]]; then
            printf '%s\n' "$port"
            return 0
        fi
    fi
    local i
    for ((i = 0; i < 100; i++)); do
        port=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    stack_die "no free port found"
}
