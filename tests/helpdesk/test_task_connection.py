"""A task whose database connection PostgreSQL terminated does not take the worker down.

django-tasks-db records a task's outcome on the connection the task used; when
that connection was terminated mid-task (pg_terminate_backend, a failover) the
write raised and `db_worker` exited (found by tests/chaos/test_pg_terminate.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from helpdesk.task_connection import releases_broken_connection
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
