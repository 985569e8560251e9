#!/usr/bin/env bash
# Creates .venv with a Python 3.12+ and installs the project (idempotent, fast when nothing changed).
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
    local candidates=(python3.14 python3.13 python3.12)
    local c
    for c in "${candidates[@]}"; do
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
            command -v "$c"; return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        local root; root="$(pyenv root)"
        for c in "$root"/versions/3.1[2-9]*/bin/python3; do
            [ -x "$c" ] && { echo "$c"; return 0; }
        done
    fi
    for c in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3 /usr/bin/python3 python3; do
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
            command -v "$c"; return 0
        fi
    done
    echo "error: Python 3.12 or newer is required and none was found (install python3.12)" >&2
    return 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
    rm -rf .venv
    PY="$(find_python)"
    echo "==> creating .venv with $PY"
    "$PY" -m venv .venv
fi

stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "==> installing dependencies into .venv"
    .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | { grep -v '^WARNING: Location' || true; }
    .venv/bin/python -m pip install --quiet -e '.[dev]' 2>&1 | { grep -v '^WARNING: Location' || true; }
    rm -f .venv/.installed-*
    touch "$stamp"
fi
