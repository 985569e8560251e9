#!/usr/bin/env bash
# Installs the system packages the tests talk to (browser, mail server) when missing.
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)  # compilemessages (the fa catalogue)
command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
if [ "${#need[@]}" -gt 0 ]; then
    if [ "$(id -u)" != "0" ]; then
        echo "error: missing system packages: ${need[*]} (install them, or run as root)" >&2
        exit 1
    fi
    echo "==> apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
