#!/usr/bin/env bash
# System packages the test suite needs beyond Python: redis-server (the cache tests run a real
# one). Installs them with apt-get when missing (CI runs as root on a fresh Debian machine).
set -euo pipefail
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "missing: ${missing[*]} — install them (e.g. sudo apt-get install ${missing[*]})" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
