#!/usr/bin/env bash
# messly-restore: bring a backup made by messly-backup into an empty server
# (deploy/DEPLOY.md, "Backups").
#   messly-restore [--config FILE] [--force] BACKUP_DIR
# Restores db.dump into the database named by `messly config db` (which must
# exist and be empty: no tables; --force drops nothing, it only skips that check),
# unpacks files.tar into files_dir (which must be empty or missing), installs the
# backup's secret when secret_file does not exist yet, then runs `messly migrate`
# so that a backup of an older release comes up on this release's schema.
# Stop messly (systemctl stop messly) first; start it afterwards.
# Environment: MESSLY_BIN (default: messly in PATH, else /usr/bin/messly).
set -euo pipefail
umask 027

die() { printf 'messly-restore: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,4p' "$0" | sed 's/^# //' >&2; exit 2; }

CONF=()
FORCE=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --config) [[ $# -ge 2 ]] || usage; CONF=(--config "$2"); shift 2 ;;
        --force) FORCE=1; shift ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) break ;;
    esac
done
[[ $# -eq 1 ]] || usage
SRC=$1
[[ -f $SRC/db.dump && -f $SRC/SHA256SUMS ]] || die "$SRC is not a messly-backup directory"
(cd "$SRC" && sha256sum --quiet --check SHA256SUMS) || die "checksums in $SRC/SHA256SUMS do not match"

BIN=${MESSLY_BIN:-$(command -v messly || echo /usr/bin/messly)}
[[ -x $BIN ]] || die "messly not found (set MESSLY_BIN)"
setting() { "$BIN" "${CONF[@]}" config "$1" || die "cannot read setting $1 (run messly check-config)"; }
DB=$(setting db)
FILES=$(setting files_dir)
SECRET=$(setting secret_file)

tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$DB" \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") ||
    die "cannot connect to the database (setting db)"
if [[ $tables != 0 && $FORCE == 0 ]]; then
    die "the database already has $tables tables; restore into an empty database"
fi
if [[ -d $FILES && -n $(find "$FILES" -mindepth 1 -print -quit) ]]; then
    die "$FILES is not empty"
fi

# All or nothing: one transaction, stop at the first error.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$DB" "$SRC/db.dump" || die "pg_restore failed; the database is unchanged"
if [[ -f $SRC/files.tar ]]; then
    mkdir -p "$FILES"
    tar --extract --file="$SRC/files.tar" --directory="$FILES" --no-same-owner || die "unpacking files failed"
    chown -R --reference="$FILES" "$FILES"    # owned like the directory (messly's, as the package makes it)
fi
if [[ -f $SRC/secret && ! -e $SECRET ]]; then
    install -m 0640 "$SRC/secret" "$SECRET" || die "cannot write $SECRET"
fi
"$BIN" "${CONF[@]}" migrate || die "messly migrate failed"
echo "messly-restore: restored $SRC"
