#!/usr/bin/env bash
# Install what Messly needs to build and run (Debian 12). Idempotent; does nothing (and
# touches no network) when everything is already there.
#   deploy/install-deps.sh          build + run dependencies
#   deploy/install-deps.sh --test   also Chromium and the npm test packages (npm ci)
#   deploy/install-deps.sh --deb    also what dpkg-buildpackage needs (make deb)
#   deploy/install-deps.sh --redis  also redis-server (make test-multinode)
#   deploy/install-deps.sh --bench  also the npm packages (npm ci; `ws` for make bench)
# Installing nginx/postgresql may start Debian's own services; the local stack does not use
# them (it runs its own instances on its own ports and sockets).
set -euo pipefail

TEST=0 DEB=0 REDIS=0 NPM=0
for a in "$@"; do
    case $a in
        --test) TEST=1; NPM=1 ;;
        --deb) DEB=1 ;;
        --redis) REDIS=1 ;;
        --bench) NPM=1 ;;
        -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "install-deps.sh: unknown argument '$a'" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)

PKGS=(gcc make pkg-config postgresql nginx-light libnginx-mod-nchan libfcgi-dev libjson-c-dev
      libscrypt-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libcurl4-openssl-dev libpq-dev
      libmagickwand-6.q16-dev curl)
((TEST == 0)) || PKGS+=(chromium fonts-noto-color-emoji openssl clang libclang-rt-14-dev)
((DEB == 0)) || PKGS+=(dpkg-dev debhelper)
# The daemon is started by the multi-node test itself; Debian's service may run too.
((REDIS == 0)) || PKGS+=(redis-server)

missing=()
for p in "${PKGS[@]}"; do
    if [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true) != ii* ]]; then
        missing+=("$p")
    fi
done
# Node.js: a newer one (e.g. NodeSource's, which bundles npm) may be installed outside Debian's
# packages; only install Debian's when the commands are missing.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if ((${#missing[@]} > 0)); then
    echo "install-deps: installing ${missing[*]}" >&2
    SUDO=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null 2>&1 || { echo "install-deps: not root and no sudo; install as root: apt-get install ${missing[*]}" >&2; exit 1; }
        SUDO=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

if [[ ! -e /usr/lib/nginx/modules/ngx_nchan_module.so ]]; then
    echo "install-deps: /usr/lib/nginx/modules/ngx_nchan_module.so is missing (libnginx-mod-nchan)" >&2
    exit 1
fi

if ((NPM == 1)); then
    cd "$ROOT"
    if [[ ! -f package.json ]]; then
        :
    elif [[ -f package-lock.json ]]; then
        if [[ ! -d node_modules || ! -e node_modules/.package-lock.json ||
              package-lock.json -nt node_modules/.package-lock.json ]]; then
            echo "install-deps: npm ci" >&2
            npm ci --no-audit --no-fund
        fi
    elif [[ ! -d node_modules || package.json -nt node_modules ]]; then
        echo "install-deps: npm install (no package-lock.json)" >&2
        npm install --no-audit --no-fund
        touch node_modules
    fi
fi
