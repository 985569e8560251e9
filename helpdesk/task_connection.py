"""Tasks leave no broken database connection behind for the worker.

django-tasks-db's worker records a task's outcome on the same connection the
task used, right after it returns or raises. When PostgreSQL dropped that
connection during the task (pg_terminate_backend, a failover, a restart) that
write raised and the whole `db_worker` process exited, leaving the task row
RUNNING (tests/chaos/test_pg_terminate.py found it). Django checks a kept
connection's health only at the start of a request, which a worker loop never
has between a task and its record.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.db import connections


def releases_broken_connection[**P, T](func: Callable[P, T]) -> Callable[P, T]:
    """Decorate a task so a connection that failed (or died) is closed when it ends;
    the worker's next query, recording the outcome, then opens a fresh one."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return func(*args, **kwargs)
        finally:
            _release_broken()

    return wrapper


def _release_broken() -> None:
    # What close_old_connections() does between requests: close a connection that
    # saw an error and no longer answers (or is past its age), and mark the others
    # for a health check before their next use. Never one inside a transaction:
    # a task run inline by a caller holding one (a test, the immediate backend)
    # must not lose it.
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()
