"""Tasks and the task worker outlive a database connection PostgreSQL dropped.

django-tasks-db's worker records a task's outcome on the same connection the
task used, right after it returns or raises. When PostgreSQL dropped that
connection during the task (pg_terminate_backend, a failover, a restart) that
write raised and the whole `db_worker` process exited, leaving the task row
RUNNING (tests/chaos/test_pg_terminate.py found it). Django checks a kept
connection's health only at the start of a request, which a worker loop never
has between a task and its record. The worker's loop itself re-raised a
database error met while claiming the next task, and the process exited too:
`ResilientWorker` polls again on a fresh connection instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger(__name__)

PAUSE_MAX = 30.0  # seconds between polls while the database stays away


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


class ResilientWorker(Worker):
    """django-tasks-db's worker loop, started again after a lost database connection.

    A claim that failed rolled back (its task stays READY); a task that was running
    has recorded its outcome or stays RUNNING for the sweeper
    (helpdesk.tasks.requeue_stranded). The pause doubles up to PAUSE_MAX while the
    database stays away; a stop request (SIGTERM, request_stop) still ends it.
    """

    def run(self) -> None:
        pause = 0.5
        while True:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError):
                if not self.running:
                    raise
                logger.warning(
                    "the task worker lost its database connection; polling again in %.1fs",
                    pause,
                    exc_info=True,
                )
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, PAUSE_MAX)
