#!/usr/bin/env bash
# make test-deb: install the package built by `make deb` into a scratch root with
# dpkg itself (dpkg --root, maintainer scripts run with DPKG_ROOT) and check what
# postinst made; then reinstall over a changed configuration and check that dpkg
# and postinst kept it, and the secret. Prints "N passed, N failed".
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
DEB=$(find "$ROOT/build/deb" -maxdepth 1 -name 'messly_*.deb' 2>/dev/null | head -n1)
[[ -n $DEB ]] || { echo "test-deb: no build/deb/messly_*.deb (run make deb)" >&2; exit 1; }
R=$(mktemp -d /tmp/messly-debroot.XXXXXX)
trap 'rm -rf "$R"' EXIT

pass=0 fail=0
check() { # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@" >/dev/null 2>&1; then pass=$((pass + 1)); echo "ok - $what"
    else fail=$((fail + 1)); echo "not ok - $what"; fi
}

# An empty system: a dpkg database and the accounts of a base system (+ www-data).
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
grep -E '^(root|www-data):' /etc/passwd >"$R/etc/passwd"
grep -E '^(root|www-data):' /etc/group >"$R/etc/group"
grep -E '^(root|www-data):' /etc/shadow >"$R/etc/shadow"
grep -E '^(root|www-data):' /etc/gshadow >"$R/etc/gshadow" 2>/dev/null || : >"$R/etc/gshadow"
chmod 0640 "$R/etc/shadow" "$R/etc/gshadow"

dpkg_root() {
    dpkg --root="$R" --force-script-chrootless --force-depends --force-confold \
        --log=/dev/null "$@" </dev/null >>"$R.log" 2>&1
}
if ! dpkg_root --install "$DEB"; then
    cat "$R.log" >&2
    echo "test-deb: dpkg --install into the scratch root failed" >&2
    exit 1
fi

uid=$(awk -F: '$1 == "messly" { print $3 }' "$R/etc/passwd")
gid=$(awk -F: '$1 == "messly" { print $3 }' "$R/etc/group")
www=$(awk -F: '$1 == "www-data" { print $3 }' "$R/etc/group")
check "package installed (dpkg status)" grep -q '^Status: install ok installed' "$R/var/lib/dpkg/status"
check "system user messly created" test -n "$uid"
check "messly is a system user with no login shell" \
    grep -qE "^messly:x:$uid:$gid:[^:]*:/var/lib/messly:/usr/sbin/nologin$" "$R/etc/passwd"
check "uid below 1000" test "${uid:-1000}" -lt 1000
check "/usr/bin/messly runs" "$R/usr/bin/messly" version
check "secret: 64 hex characters" grep -qE '^[0-9a-f]{64}$' "$R/etc/messly/secret"
check "secret: root:messly 0640" test "$(stat -c '%u:%g %a' "$R/etc/messly/secret")" = "0:$gid 640"
check "configuration: root:messly 0640" test "$(stat -c '%u:%g %a' "$R/etc/messly/messly.conf")" = "0:$gid 640"
check "configuration is a conffile" grep -qx /etc/messly/messly.conf "$R/var/lib/dpkg/info/messly.conffiles"
check "nginx site is a conffile" grep -qx /etc/nginx/sites-available/messly "$R/var/lib/dpkg/info/messly.conffiles"
check "/var/lib/messly: messly 0750" test "$(stat -c '%u:%g %a' "$R/var/lib/messly")" = "$uid:$gid 750"
check "/var/lib/messly/files: messly:www-data 2750" \
    test "$(stat -c '%u:%g %a' "$R/var/lib/messly/files")" = "$uid:$www 2750"
check "the package's configuration is the example's" \
    cmp -s "$R/etc/messly/messly.conf" "$R/usr/share/messly/messly.conf.example"
check "the installed configuration parses" \
    env -u MESSLY_HOME "$R/usr/bin/messly" --config "$R/etc/messly/messly.conf" config home
if command -v systemd-analyze >/dev/null 2>&1; then
    # the packaged units, pointed at the scratch root's binary
    mkdir -p "$R/verify"
    for u in messly.service messly-maintenance.service messly-maintenance.timer; do
        sed "s|/usr/bin/messly|$R/usr/bin/messly|g" "$R/lib/systemd/system/$u" >"$R/verify/$u"
    done
    out=$(systemd-analyze verify "$R"/verify/* 2>&1) || out="failed: $out"
    check "units pass systemd-analyze verify" test -z "$out"
    [[ -z $out ]] || printf '%s\n' "$out" >&2
fi

# Upgrade/reinstall over an admin's changes.
secret=$(cat "$R/etc/messly/secret")
printf '\n# the admin was here\nworkers = 12\n' >>"$R/etc/messly/messly.conf"
chmod 0600 "$R/etc/messly/messly.conf"
if dpkg_root --install "$DEB"; then
    check "reinstalled" true
else
    check "reinstalled" false
fi
check "changed configuration kept" grep -qx 'workers = 12' "$R/etc/messly/messly.conf"
check "admin's mode on the configuration kept" test "$(stat -c '%a' "$R/etc/messly/messly.conf")" = 600
check "secret kept" test "$(cat "$R/etc/messly/secret")" = "$secret"
check "one messly user" test "$(grep -c '^messly:' "$R/etc/passwd")" = 1

dpkg_root --purge messly || true
check "purge removes the secret" test ! -e "$R/etc/messly/secret"
check "purge keeps /var/lib/messly" test -d "$R/var/lib/messly"

rm -f "$R.log"
echo "$pass passed, $fail failed"
((fail == 0))
