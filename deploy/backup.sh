#!/usr/bin/env bash
# messly-backup: a consistent backup of one Messly server (deploy/DEPLOY.md, "Backups").
#   messly-backup [--config FILE] DEST_DIR
# writes DEST_DIR/messly-<UTC time>/ with
#   db.dump      pg_dump custom format of the whole database (one snapshot)
#   files.tar    the files directory (files_dir), if there is one
#   secret       the server secret (keeps channel ids and open forms valid)
#   messly.conf  the configuration file that was in effect, if any
#   SHA256SUMS   checksums of the above (messly-restore verifies them)
# and prints the backup's path. The database comes from `messly config db`, so the
# configuration file and MESSLY_* variables apply as for the server itself.
# Run it as the user the server runs as (runuser -u messly -- messly-backup DIR):
# the package's database login is peer authentication for that user.
# The backup holds password hashes and the secret: keep it private (mode 0700).
# Environment: MESSLY_BIN (default: messly in PATH, else /usr/bin/messly).
set -euo pipefail
umask 077

die() { printf 'messly-backup: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,3p' "$0" | sed 's/^# //' >&2; exit 2; }

CONF=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --config) [[ $# -ge 2 ]] || usage; CONF=(--config "$2"); shift 2 ;;
        -h | --help) usage ;;
        -*) usage ;;
        *) break ;;
    esac
done
[[ $# -eq 1 ]] || usage
DEST=$1

BIN=${MESSLY_BIN:-$(command -v messly || echo /usr/bin/messly)}
[[ -x $BIN ]] || die "messly not found (set MESSLY_BIN)"
setting() { "$BIN" "${CONF[@]}" config "$1" || die "cannot read setting $1 (run messly check-config)"; }
DB=$(setting db)
FILES=$(setting files_dir)
SECRET=$(setting secret_file)
CONFFILE=$(setting --file)

mkdir -p "$DEST"
OUT=$DEST/messly-$(date -u +%Y%m%dT%H%M%SZ)
[[ ! -e $OUT ]] || die "$OUT already exists"
mkdir "$OUT.partial"
trap 'rm -rf "$OUT.partial"' EXIT

# One snapshot of the whole database; without owners and grants, so that it
# restores into a database owned by whichever role the new server uses.
pg_dump --format=custom --no-owner --no-privileges --file="$OUT.partial/db.dump" --dbname="$DB" ||
    die "pg_dump failed"
# Files are written once and never changed, so copying them after the dump
# keeps every file the dump refers to (newer ones are harmless extras).
if [[ -d $FILES ]]; then
    tar --create --file="$OUT.partial/files.tar" --directory="$FILES" . || die "tar of $FILES failed"
fi
if [[ -r $SECRET ]]; then cp "$SECRET" "$OUT.partial/secret"; fi
if [[ -n $CONFFILE && -f $CONFFILE ]]; then cp "$CONFFILE" "$OUT.partial/messly.conf"; fi
(cd "$OUT.partial" && sha256sum -- * >SHA256SUMS) || die "checksums failed"
mv "$OUT.partial" "$OUT"
trap - EXIT
printf '%s\n' "$OUT"
