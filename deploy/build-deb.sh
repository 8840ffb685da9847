#!/usr/bin/env bash
# Build the Debian package (make deb): copies the tree to build/deb/messly-VERSION/
# with deploy/debian/ as debian/, runs dpkg-buildpackage there and leaves
# build/deb/messly_VERSION_ARCH.deb. Needs deploy/install-deps.sh --deb.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$ROOT"
VERSION=$(dpkg-parsechangelog -l deploy/debian/changelog -S Version)
OUT=$ROOT/build/deb
SRC=$OUT/messly-$VERSION
rm -rf "$OUT"
mkdir -p "$SRC"
# The sources a build needs (not build/, var/, node_modules/ or tests).
cp -a Makefile README.md cgi templates static schema "$SRC/"
mkdir -p "$SRC/deploy"
for f in deploy/*; do
    [[ $f == deploy/debian ]] || cp -a "$f" "$SRC/deploy/"
done
cp -a deploy/debian "$SRC/debian"
echo "[deb] dpkg-buildpackage in $SRC" >&2
(cd "$SRC" && dpkg-buildpackage --build=binary --no-sign) >"$OUT/build.log" 2>&1 || {
    tail -n 40 "$OUT/build.log" >&2
    echo "[deb] dpkg-buildpackage failed (log: $OUT/build.log)" >&2
    exit 1
}
ls "$OUT"/messly_"$VERSION"_*.deb
