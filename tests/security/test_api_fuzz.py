"""Schemathesis against the served OpenAPI document: the document is the contract.

Every case is checked for: no 5xx; a status the operation declares; a body that
matches the declared schema (errors too); a request the schema calls invalid is
refused (negative cases); and a request the schema calls valid is not refused
for its form (positive cases: a 400 or 422 fails unless the rule is one a schema
cannot say, listed in RULES_BEYOND_SCHEMA). So a new undeclared status, or a new
check on input that is not in the schema, fails here.

Bounded for CI: HELPDESK_FUZZ_EXAMPLES positive cases per operation (default 20)
and half as many negative ones, and a wall-clock budget of HELPDESK_FUZZ_SECONDS
(default 120) for the whole run.
Cases are derandomized (the same ones every run) unless HELPDESK_FUZZ_RANDOM=1.
Half of the cases with path parameters name team A's real objects, so handlers
run past their lookups. Each request runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import json
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
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.security.conftest import World

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

EXAMPLES = int(os.environ.get("HELPDESK_FUZZ_EXAMPLES", "20"))
BUDGET = float(os.environ.get("HELPDESK_FUZZ_SECONDS", "120"))
RANDOM = os.environ.get("HELPDESK_FUZZ_RANDOM") == "1"
# Path parameter -> the World id naming a team A object of that kind.
REAL_IDS = {
    "ticket_id": "ticket_id",
    "contact_id": "contact_id",
    "message_id": "message_id",
    "attachment_id": "attachment_id",
    "call_id": "call_id",
    "task_id": "task_id",
    "company_id": "company_id",
    "segment_id": "segment_id",
    "attribute_id": "attribute_id",
    "subscription_id": "subscription_id",  # a webhook subscription (issue 21)
    "delivery_id": "delivery_id",  # one of its logged deliveries
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
T = "/api/v1/tickets/{ticket_id}"
W = "/api/v1/webhooks/subscriptions"
WEBHOOK_WRITES = (f"POST {W}", f"PATCH {W}/{{subscription_id}}")
# (operation, field) -> the rule a well-formed request can still break: they depend
# on the clock, on stored objects or on the whole body, which a JSON Schema cannot
# say. docs/api.md lists them. Any other refusal of a schema-valid request fails.
RULES_BEYOND_SCHEMA = {
    ("GET /api/v1/tickets", "cursor"): "only a cursor this API returned",
    ("GET /api/v1/contacts", "cursor"): "only a cursor this API returned",
    ("GET /api/v1/surveys/responses", "cursor"): "only a cursor this API returned",
    (f"POST {T}/reply", "text"): "text, HTML or a file that is not blank",
    (f"POST {T}/notes", "text"): "text or a file that is not blank",
    (f"POST {T}/snooze", "until"): "a time in the future",
    (f"POST {T}/status", "snoozed_until"): "snoozed needs a time in the future",
    (f"POST {T}/assign", "assignee_id"): "an agent who exists and may work the ticket",
    (f"POST {T}/merge", "target_id"): "another ticket the caller may read",
    ("POST /api/v1/contacts/{contact_id}/merge", "target_id"): "another contact",
    ("POST /api/v1/messages/{message_id}/retry", "message_id"): "a failed outbound message",
    ("PATCH /api/v1/contacts/{contact_id}", "custom_attributes"): "no NUL, nesting <= 20",
    ("POST /api/v1/calls/", "number"): "a phone number (docs/phone.md)",
    # Work on tickets (issue 19, docs/tasks.md).
    ("POST /api/v1/tickets", "text"): "text that is not blank",
    ("POST /api/v1/tickets", "channel"): "a channel of the caller's inboxes reaching the contact",
    ("POST /api/v1/tickets", "contact"): "an address on some channel",
    ("POST /api/v1/tickets", "contact.email"): "a valid email address",
    ("POST /api/v1/tickets", "contact.phone"): "a valid phone number",
    ("POST /api/v1/tickets", "contact.telegram"): "a Telegram user id",
    (f"POST {T}/split", "message_ids"): "messages of the ticket, not all of them",
    (f"POST {T}/refer", "to_user_id"): "an agent who may work the ticket",
    (f"POST {T}/refer", "to_team_id"): "a team that exists",
    ("GET /api/v1/tasks", "cursor"): "only a cursor this API returned",
    ("POST /api/v1/tasks", "title"): "a title that is not blank",
    ("POST /api/v1/tasks", "assignee_id"): "an agent of the task's team",
    ("POST /api/v1/tasks", "team_id"): "a team that exists",
    ("PATCH /api/v1/tasks/{task_id}", "title"): "a title that is not blank",
    ("PATCH /api/v1/tasks/{task_id}", "assignee_id"): "an agent of the task's team",
    ("PATCH /api/v1/tasks/{task_id}", "team_id"): "a team that exists",
    ("POST /api/v1/tasks/{task_id}/refer", "to_user_id"): "an agent of the task's team",
    ("POST /api/v1/tasks/{task_id}/refer", "to_team_id"): "a team that exists",
    # Contacts and companies (issue 19, docs/contacts.md).
    ("GET /api/v1/contacts", "segment_id"): "a segment that exists",
    ("POST /api/v1/contacts", "name"): "a name or an identity",
    ("POST /api/v1/contacts", "identities"): "valid addresses no other contact has",
    ("POST /api/v1/contacts", "company_id"): "a company that exists",
    ("POST /api/v1/contacts", "custom_attributes"): "values valid for the attribute types",
    ("PATCH /api/v1/contacts/{contact_id}", "company"): "a company that exists",
    ("PATCH /api/v1/contacts/{contact_id}/attributes", "custom_attributes"): "typed values",
    ("POST /api/v1/contacts/{contact_id}/identities", "address"): "valid, no other contact's",
    ("DELETE /api/v1/contacts/{contact_id}", "contact_id"): "a contact without tickets",
    ("GET /api/v1/companies", "cursor"): "only a cursor this API returned",
    ("POST /api/v1/companies", "name"): "a name no other company has",
    ("POST /api/v1/companies", "domains"): "domains no other company has",
    ("POST /api/v1/companies", "custom_attributes"): "values valid for the attribute types",
    ("PATCH /api/v1/companies/{company_id}", "name"): "a name no other company has",
    ("PATCH /api/v1/companies/{company_id}", "domains"): "domains no other company has",
    ("PATCH /api/v1/companies/{company_id}", "custom_attributes"): "typed values",
    ("GET /api/v1/segments/{segment_id}/members", "cursor"): "only a cursor this API returned",
    ("POST /api/v1/segments", "name"): "a name no other segment has",
    ("POST /api/v1/segments", "definition"): "a contact filter (docs/contacts.md)",
    ("PUT /api/v1/segments/{segment_id}", "name"): "a name no other segment has",
    ("PUT /api/v1/segments/{segment_id}", "definition"): "a contact filter (docs/contacts.md)",
    ("POST /api/v1/attributes", "key"): "a key not yet defined for the entity",
    ("POST /api/v1/attributes", "choices"): "a list attribute needs choices",
    ("PATCH /api/v1/attributes/{attribute_id}", "choices"): "a list attribute needs choices",
    (f"PATCH {T}/attributes", "custom_attributes"): "values valid for the attribute types",
    # Reports (issue 18, docs/reports.md).
    **{
        (f"GET /api/v1/reports/{n}", "until"): "after since"
        for n in ("summary", "timeseries", "agents", "tags", "churn")
    },
    **{
        (f"GET /api/v1/reports/{n}", "since"): "given when until is year 1"
        for n in ("summary", "timeseries", "agents", "tags", "churn")
    },
    ("GET /api/v1/reports/churn", "segment_id"): "a segment that exists",
    ("GET /api/v1/reports/timeseries", "interval"): "at most 2000 points in the period",
    ("GET /api/v1/reports/timeseries", "tz"): "an IANA time zone",
    # Outbound webhooks (issue 21, docs/webhooks.md).
    **{(op, "url"): "a target the SSRF rules allow" for op in WEBHOOK_WRITES},
    **{(op, "event_types"): "types /webhooks/event-types lists" for op in WEBHOOK_WRITES},
    **{(op, "team_id"): "a team that exists" for op in WEBHOOK_WRITES},
    **{(op, "inbox_id"): "an inbox that exists" for op in WEBHOOK_WRITES},
    **{(op, "channel"): "an installed channel kind" for op in WEBHOOK_WRITES},
    (f"GET {W}/{{subscription_id}}/deliveries", "cursor"): "only a cursor this API returned",
}
# What a schema-valid request may get: done, or refused for who asks or for what
# the stored objects are (no such object, a stale version).
ACCEPTED = {401, 403, 404, 409}


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Like Django's test client: a request does not close the test's DB connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("_keep_test_connection")
def test_it_keeps_to_the_openapi_document(world: World, settings: Any) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis' WSGI host
    # Thousands of requests in a minute: the rate limits have their own tests.
    settings.HELPDESK_API_RATE_PER_TOKEN = settings.HELPDESK_API_RATE_PER_IP = "1000000/m"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    # The admin's token is sent on every case (auth has its own tests), and unknown
    # query parameters are ignored, as HTTP APIs do (docs/api.md).
    schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)
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
        raw = operation.definition.raw
        has_inputs = bool(raw.get("parameters") or raw.get("requestBody"))
        for mode in GenerationMode:
            if mode.is_positive or has_inputs:  # nothing to get wrong without inputs
                _fuzz(operation, mode, headers, world.ids, statuses)
    assert len(tried) >= 20, tried
    # The cases reached the handlers: successes as well as refusals.
    assert statuses[200] + statuses[201] > 20 * len(tried) // 10, statuses
    assert statuses[422] > len(tried), statuses
    assert 429 not in statuses, statuses


def _accepts_valid_data(case: Any, response: Any) -> None:
    """A schema-valid request is not refused for its form (see RULES_BEYOND_SCHEMA)."""
    status = response.status_code
    if status < 400 or status in ACCEPTED or status >= 500:
        return
    body = json.loads(response.content)
    rule = RULES_BEYOND_SCHEMA.get((case.operation.label, body.get("field")))
    assert status == 422 and rule, (
        f"{case.operation.label} refused a request its schema allows: {status} {body}"
        f" for {case.path_parameters} {case.query} {case.body!r}; put the rule in the schema"
    )


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    headers: dict[str, str],
    ids: dict[str, Any],
    statuses: Counter[int],
) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES if mode.is_positive else EXAMPLES // 2,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(case=operation.as_strategy(generation_mode=mode), real=st.booleans())
    def run(case: Any, real: bool) -> None:
        if real and case.path_parameters:
            for name in case.path_parameters:
                if name in REAL_IDS:
                    case.path_parameters[name] = ids[REAL_IDS[name]]
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)
        if mode.is_positive:
            _accepts_valid_data(case, response)

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
