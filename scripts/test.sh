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
# The next Redis database number: a test's cache.clear() is a FLUSHDB, which would
# wipe the other shard's keys (a rate-limit test lost its count to one) whatever the
# key prefix.
next_redis_db() {
    local url="$1"
    if [[ "$url" =~ ^(.*/)([0-9]+)$ ]]; then
        echo "${BASH_REMATCH[1]}$(( BASH_REMATCH[2] + 1 ))"
    else
        echo "${url%/}/1"
    fi
}
shard_b() {
    ( export DATABASE_URL="${DATABASE_URL}_b" CHANNEL_LAYER_PREFIX="helpdesk-shard-b"
      if [ -n "${REDIS_URL:-}" ]; then export REDIS_URL="$(next_redis_db "$REDIS_URL")"; fi
      run_pytest tests --ignore=tests/helpdesk --ignore=tests/agents )
}

if [ "${TEST_SEQUENTIAL:-}" = "1" ] || [ -z "${DATABASE_URL:-}" ]; then
    echo "==> pytest on ${DATABASE_URL:-SQLite} with ${REDIS_URL:-the in-process layer}"
    run_pytest "$@"
    echo "==> pytest -m embedded on SQLite with the in-process layer"
    embedded "$@"
    exit 0
fi

# The runs share nothing (other databases, Redis databases and prefixes, their own
# loopback ports and temporary directories), and each spends much of its time waiting
# on browsers, servers and subprocesses: the PostgreSQL suite runs as two shards of
# about equal time (the core's and the agent workspace's tests, then everything
# else) beside the SQLite pass, and the background runs' output is printed after.
# Arguments (a path, -k …) run one unsharded PostgreSQL pass.
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
pids=()
names=()
background() {
    local name="$1"; shift
    "$@" >"$logs/$name" 2>&1 &
    pids+=("$!")
    names+=("$name")
}
echo "==> pytest -m embedded on SQLite with the in-process layer (in the background, shown below)"
background embedded embedded "$@"
if [ "$#" -eq 0 ]; then
    echo "==> pytest tests/ without tests/helpdesk and tests/agents on ${DATABASE_URL}_b and the next Redis database (in the background, shown below)"
    background shard_b shard_b
    set -- tests/helpdesk tests/agents
fi
echo "==> pytest $* on ${DATABASE_URL} with ${REDIS_URL:-the in-process layer}"
status=0
run_pytest "$@" || status=$?
for i in "${!pids[@]}"; do
    background_status=0
    wait "${pids[$i]}" || background_status=$?
    echo "==> ${names[$i]} (output)"
    cat "$logs/${names[$i]}"
    [ "$status" -ne 0 ] || status="$background_status"
done
exit "$status"
