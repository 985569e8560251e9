"""Schemathesis against the served OpenAPI document: no 5xx, every status declared.

Bounded for CI: HELPDESK_FUZZ_EXAMPLES cases per operation (default 25) and a
wall-clock budget of HELPDESK_FUZZ_SECONDS (default 120) for the whole run. Cases
are derandomized (the same ones every run) unless HELPDESK_FUZZ_RANDOM=1. Half of
the cases with path parameters name team A's real objects, so handlers run past
their lookups. Each request runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import status_code_conformance

from tests import factories
from tests.security.conftest import World

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

EXAMPLES = int(os.environ.get("HELPDESK_FUZZ_EXAMPLES", "25"))
BUDGET = float(os.environ.get("HELPDESK_FUZZ_SECONDS", "120"))
RANDOM = os.environ.get("HELPDESK_FUZZ_RANDOM") == "1"
# Path parameter -> the World id naming a team A object of that kind.
REAL_IDS = {
    "ticket_id": "ticket_id",
    "contact_id": "contact_id",
    "message_id": "message_id",
    "attachment_id": "attachment_id",
    "call_id": "call_id",
}


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Like Django's test client: a request does not close the test's DB connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_test_connection")
def test_it_never_answers_5xx_nor_an_undeclared_status(world: World, settings: Any) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis' WSGI host
    # Thousands of requests in a minute: the rate limits have their own tests.
    settings.HELPDESK_API_RATE_PER_TOKEN = settings.HELPDESK_API_RATE_PER_IP = "1000000/m"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    token = factories.make_token(world.users["admin"])
    headers = {"Authorization": f"Bearer {token}"}
    started = time.monotonic()
    tried: list[str] = []
    statuses: Counter[int] = Counter()
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the document is a valid schema
        operation = result.ok()
        if time.monotonic() - started > BUDGET:
            break
        tried.append(operation.label)
        _fuzz(operation, headers, world.ids, statuses)
    assert len(tried) >= 20, tried
    # The cases reached the handlers: successes as well as refusals.
    assert statuses[200] + statuses[201] > 20 * len(tried) // 10, statuses
    assert 429 not in statuses, statuses


def _fuzz(
    operation: Any, headers: dict[str, str], ids: dict[str, Any], statuses: Counter[int]
) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(case=operation.as_strategy(), real=st.booleans())
    def run(case: Any, real: bool) -> None:
        if real and case.path_parameters:
            for name in case.path_parameters:
                if name in REAL_IDS:
                    case.path_parameters[name] = ids[REAL_IDS[name]]
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        statuses[response.status_code] += 1
        case.validate_response(
            response, checks=[not_a_server_error, status_code_conformance], headers=headers
        )

    run()


def test_it_stores_times_with_offsets_postgresql_refuses(world: World, api: Any) -> None:
    # Found by the fuzzing: an ISO 8601 offset beyond +-15:59 was a 500 on PostgreSQL.
    client = api(world.users["admin"])
    ticket = world.ids["ticket_id"]
    response = client.post(f"/api/v1/tickets/{ticket}/snooze", {"until": "2911-09-05T19:32-23:35"})
    assert response.status_code == 200, response.content
    assert response.json()["snoozed_until"].startswith("2911-09-06T19:07")
    late = client.post(f"/api/v1/tickets/{ticket}/snooze", {"until": "9999-12-31T23:59-23:00"})
    assert late.status_code == 422, late.content
