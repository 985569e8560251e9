"""One demo desk per test module, each test rolled back to it.

Seeding the demo takes seconds (weeks of report history, surveys, SLA clocks), and
a module of demo tests only reads it. So the module's first use seeds it inside a
transaction that stays open; each test's own transaction becomes a savepoint in it
and rolls back to the seeded desk; after the module the seed is rolled back too.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings


@pytest.fixture(scope="module")
def demo_desk(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """What `seed_demo` printed; the desk is in the database for the module's tests."""
    var_dir: Path = tmp_path_factory.mktemp("demo-var")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var_dir):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            out = StringIO()
            # What the run command's seed does when it commits (notifications, report
            # facts, webhook deliveries) runs here as well, as it would after a commit.
            with TestCase.captureOnCommitCallbacks(execute=True):
                call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
