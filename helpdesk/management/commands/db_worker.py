"""`manage.py db_worker`: django-tasks-db's command with a loop that survives a lost
database connection (helpdesk.task_connection.ResilientWorker).

It replaces the library's command of the same name because `helpdesk` comes
before django-tasks-db in INSTALLED_APPS; options and behaviour are the
library's (docs/operations.md: `db_worker --queue-name '*'`).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from helpdesk.task_connection import ResilientWorker


class Command(db_worker.Command):
    help = "Run a database background worker (polling again after a lost database connection)"

    def handle(  # the library's, building a ResilientWorker
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        self.configure_logging(verbosity)
        reload = reload and not batch
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the reloader's child process
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
