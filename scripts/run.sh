#!/usr/bin/env bash
# The README's first command (`make run`): installs what is needed, migrates, loads the
# demo on the first run, and serves web + task worker + channel listeners in one process
# on http://127.0.0.1:8000 (HOST / PORT override) with the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh

export DEBUG="${DEBUG:-1}"
export HOST="${HOST:-127.0.0.1}"
export PORT="${PORT:-8000}"
PY=.venv/bin/python

# The development secret key, created once (settings only read it; see config/settings.py).
VAR_DIR="${HELPDESK_VAR_DIR:-var}"
mkdir -p "$VAR_DIR"
if [ ! -s "$VAR_DIR/secret_key.txt" ]; then
    ( umask 077; "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$VAR_DIR/secret_key.txt" )
fi

echo "==> migrate"
"$PY" manage.py migrate --no-input -v 0
echo "==> seed_demo"
"$PY" manage.py seed_demo
echo "==> serving on http://${HOST}:${PORT}/ (web + task worker + channel listeners)"
exec "$PY" manage.py rundesk --host "$HOST" --port "$PORT"
