#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest against PostgreSQL + Redis (when
# reachable; required under CI=true) and again on the embedded defaults (SQLite +
# in-process layer) for the tests marked `embedded`.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/bootstrap.sh
bash scripts/system-deps.sh

PY=.venv/bin/python
echo "==> ruff format --check"; .venv/bin/ruff format --check .
echo "==> ruff check"; .venv/bin/ruff check .
echo "==> mypy (strict, from pyproject.toml)"; .venv/bin/mypy .
echo "==> import-linter (layers)"; .venv/bin/lint-imports --no-cache
echo "==> vendored front-end files match static-vendor.lock.json"; "$PY" scripts/vendor_static.py --check

answers() { "$PY" - "$1" "$2" <<'PYEOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PYEOF
}

if [ -z "${DATABASE_URL:-}" ] && answers 127.0.0.1 5432; then
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/helpdesk"
fi
if [ -z "${REDIS_URL:-}" ] && answers 127.0.0.1 6379; then
    export REDIS_URL="redis://127.0.0.1:6379/0"
fi
if [ "${CI:-}" = "true" ]; then
    case "${DATABASE_URL:-}" in
        postgres*) ;;
        *) echo "error: CI needs PostgreSQL (DATABASE_URL or 127.0.0.1:5432)" >&2; exit 1 ;;
    esac
    [ -n "${REDIS_URL:-}" ] || { echo "error: CI needs Redis (REDIS_URL or 127.0.0.1:6379)" >&2; exit 1; }
fi

run_pytest() {
    local status=0
    "$PY" -m pytest -p no:cacheprovider "$@" || status=$?
    if [ "$status" -eq 5 ]; then
        echo "error: pytest collected no tests" >&2; return 1
    fi
    return "$status"
}

embedded() { ( unset DATABASE_URL REDIS_URL; run_pytest -m embedded "$@" ); }

if [ "${TEST_SEQUENTIAL:-}" = "1" ] || [ -z "${DATABASE_URL:-}" ]; then
    echo "==> pytest on ${DATABASE_URL:-SQLite} with ${REDIS_URL:-the in-process layer}"
    run_pytest "$@"
    echo "==> pytest -m embedded on SQLite with the in-process layer"
    embedded "$@"
    exit 0
fi

# The two runs share nothing (other database, no Redis, their own loopback ports and
# temporary directories), and the PostgreSQL run spends much of its time waiting on
# browsers, servers and subprocesses: run the SQLite one beside it, print it after.
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
echo "==> pytest -m embedded on SQLite with the in-process layer (in the background, shown below)"
embedded "$@" >"$log" 2>&1 &
embedded_pid=$!
echo "==> pytest on ${DATABASE_URL} with ${REDIS_URL:-the in-process layer}"
status=0
run_pytest "$@" || status=$?
embedded_status=0
wait "$embedded_pid" || embedded_status=$?
echo "==> pytest -m embedded on SQLite with the in-process layer (output)"
cat "$log"
[ "$status" -eq 0 ] || exit "$status"
exit "$embedded_status"
