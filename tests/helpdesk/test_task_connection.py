"""A database connection PostgreSQL terminated does not take the task worker down,
neither in a task nor in the worker's own claim of the next one.

django-tasks-db records a task's outcome on the connection the task used; when
that connection was terminated mid-task (pg_terminate_backend, a failover) the
write raised and `db_worker` exited (found by tests/chaos/test_pg_terminate.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import get_commands
from django.db import OperationalError, connection
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from helpdesk.task_connection import ResilientWorker, releases_broken_connection
from tests.factories import run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _terminate_own_connection() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone() or (0,)
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


@task()
@releases_broken_connection
def fails_on_a_terminated_connection() -> str:
    _terminate_own_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # raises: the server closed the connection
    return "unreachable"


@task()
@releases_broken_connection
def ends_after_its_connection_was_terminated() -> str:
    _terminate_own_connection()
    return "done"


def test_the_worker_records_the_outcome_after_the_connection_was_terminated() -> None:
    failing = fails_on_a_terminated_connection.enqueue()
    ending = ends_after_its_connection_was_terminated.enqueue()
    run_queued_tasks()  # raised OperationalError before the fix
    failed = DBTaskResult.objects.get(pk=failing.id)
    assert failed.status == "FAILED"
    assert failed.exception_class_path == "django.db.utils.OperationalError"
    ended = DBTaskResult.objects.get(pk=ending.id)
    assert ended.status == "SUCCESSFUL" and ended.return_value == "done"


@task()
@releases_broken_connection
def counts_messages() -> int:
    from helpdesk.models import Message

    return Message.objects.count()


def test_a_task_run_inside_a_transaction_keeps_it() -> None:
    from django.db import transaction

    with transaction.atomic():
        assert counts_messages.call() == 0
        assert connection.in_atomic_block and connection.connection is not None
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")


class ClaimFailsOnce:
    """PostgreSQL drops the connection as the worker locks the next task to claim it."""

    def __init__(self) -> None:
        self.failed = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self.failed and "FOR UPDATE" in sql and "dbtaskresult" in sql:
            self.failed += 1
            raise OperationalError("terminating connection due to administrator command")
        return execute(sql, params, many, context)


def test_the_worker_polls_again_after_losing_its_connection_in_a_claim() -> None:
    assert get_commands()["db_worker"] == "helpdesk"  # docs/operations.md's command
    queued = counts_messages.enqueue()
    fault = ClaimFailsOnce()
    worker = ResilientWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="resilient",
        excluded_queue_names=[],
    )
    with connection.execute_wrapper(fault):
        worker.run()  # django-tasks-db's own Worker raises here
    assert fault.failed == 1
    ran = DBTaskResult.objects.get(pk=queued.id)
    assert ran.status == "SUCCESSFUL" and ran.return_value == 0
