"""Garbage sent to every endpoint gets a 4xx, never a 500, and changes nothing.

The endpoints are read from the served OpenAPI document, so a new endpoint is
covered the day it is added.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from helpdesk.models import Contact, Message, Ticket, TicketEvent
from tests.helpdesk.api.conftest import API, WRITE_METHODS, fill, operations

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

RAW_BODIES: list[bytes] = [
    b"{",
    b"not json",
    b"\xff\xfe\xfa\x00",
    b"[]",
    b"null",
    b"42",
    b'"text"',
    b"[{}]",
    b"1e999",
    b"9" * 5000,  # past Python's int-from-string digit limit
    b"[" * 50_000,  # deeper than the JSON parser's recursion limit
    b'{"a": NaN}',
    b'{"__proto__": {"admin": true}}',
    b'{"unexpected_field": 1}',
]
# Wrong for every field type the API has (strict text, bounded ints, booleans,
# aware datetimes, objects, lists).
BAD_VALUES: list[Any] = [
    [[[]]],
    10**40,
    -(10**40),
    1.5,
    "\u0000",
    "\ud800",
    {"$gt": ""},
]
BAD_IDS = ["abc", "-1", "0", "1.5", "9" * 30, "%00", "1e3", "%F0%9F%98%80", "1%20OR%201=1"]


def _properties(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return {}
    schema = content["schema"]
    for option in [schema, *schema.get("anyOf", [])]:
        if "$ref" in option:
            name = option["$ref"].rsplit("/", 1)[-1]
            return dict(doc["components"]["schemas"][name].get("properties", {}))
        if "properties" in option:
            return dict(option["properties"])
    return {}


def _object_bodies(properties: dict[str, Any]) -> Iterator[Any]:
    for name in properties:
        for value in BAD_VALUES:
            if name == "custom_attributes" and isinstance(value, dict):
                continue  # an object is the right type there; NUL inside is tried below
            yield {name: value}
    if properties:
        yield {name: BAD_VALUES[0] for name in properties}
    if "custom_attributes" in properties:
        yield {"custom_attributes": {"k\u0000": 1}}
        yield {"custom_attributes": {"k": ["\u0000"]}}
        yield {"custom_attributes": json.loads("[" * 30 + "]" * 30)}
    if "attachments" in properties:
        yield {"text": "x", "attachments": [{}]}
        yield {"text": "x", "attachments": [{"name": "a", "data_base64": "!!not base64"}]}
        yield {"text": "x", "attachments": [{"name": "", "data_base64": "QQ=="}]}
        yield {"text": "x", "attachments": [{"name": "a", "data_base64": "QQ==", "x": 1}]}
        yield {"text": "x", "attachments": [{"name": "a", "data_base64": "QQ="}]}
        yield {"text": "x", "attachments": "QQ=="}


def _snapshot(objects: dict[str, int]) -> tuple[Any, ...]:
    ticket = Ticket.objects.get(pk=objects["ticket_id"])
    contact = Contact.objects.get(pk=objects["contact_id"])
    return (
        ticket.version,
        ticket.status,
        ticket.assignee_id,
        contact.name,
        contact.custom_attributes,
        Message.objects.count(),
        TicketEvent.objects.count(),
    )


def test_it_answers_4xx_to_garbage_on_every_write_endpoint(
    api: Any, supervisor_a: Any, team_a_objects: dict[str, int]
) -> None:
    from django.test import Client

    doc = Client().get(f"{API}/openapi.json").json()
    client = api(supervisor_a).client
    before = _snapshot(team_a_objects)
    tried = 0
    writes = operations(WRITE_METHODS)
    assert len(writes) >= 14
    for method, template, op in writes:
        path = fill(template, team_a_objects)
        send = getattr(client, method)
        bodies = [
            *RAW_BODIES,
            *(json.dumps(b).encode() for b in _object_bodies(_properties(doc, op))),
        ]
        for body in bodies:
            response = send(path, body, content_type="application/json")
            assert 400 <= response.status_code < 500, (method, path, body[:80], response.content)
            tried += 1
        form = send(path, {"text": "x"})  # multipart, not JSON
        assert 400 <= form.status_code < 500, (method, path, form.content)
    assert tried > 200
    assert _snapshot(team_a_objects) == before


def test_it_answers_4xx_to_malformed_ids_in_every_path(
    api: Any, supervisor_a: Any, team_a_objects: dict[str, int]
) -> None:
    client = api(supervisor_a).client
    for method, template, _op in operations():
        if "{" not in template:
            continue
        for bad in BAD_IDS:
            path = template.split("{", 1)[0] + bad + template.split("}", 1)[1]
            path = fill(path, team_a_objects)
            response = getattr(client, method)(path, {}, content_type="application/json")
            assert 400 <= response.status_code < 500, (method, path, response.content)


def test_it_never_fails_on_malformed_query_parameters(
    api: Any, supervisor_a: Any, team_a_objects: dict[str, int]
) -> None:
    client = api(supervisor_a).client
    for _method, template, op in operations({"get"}):
        path = fill(template, team_a_objects)
        for param in op.get("parameters", []):
            if param["in"] != "query":
                continue
            for bad in ["\x00", "x" * 5000, "-1", "9" * 40, "\ufffd", "1e9", ""]:
                response = client.get(path, {param["name"]: bad})
                assert response.status_code < 500, (path, param["name"], bad[:20])
                if response.status_code >= 400:
                    # 403: an endpoint this role may not use at all (the admin-only webhooks
                    # API) refuses before it reads any parameter.
                    assert response.status_code in (400, 403, 404, 422)


def test_it_names_the_field_in_validation_errors(
    api: Any, agent_a: Any, team_a_objects: dict[str, int]
) -> None:
    client = api(agent_a)
    ticket = team_a_objects["ticket_id"]
    cases = [
        ("priority", {"priority": "high"}, "priority"),
        ("priority", {"priority": 9}, "priority"),
        ("status", {"status": "done"}, "status"),
        ("assign", {"assignee_id": -3}, "assignee_id"),
        ("assign", {"assignee_id": 10**30}, "assignee_id"),
        ("assign", {}, "assignee_id"),
        ("tags", {"tags": "a,b"}, "tags"),
        ("reply", {"text": "x", "resolve": "yes"}, "resolve"),
        (
            "reply",
            {"text": "x", "attachments": [{"name": "a", "data_base64": "@@"}]},
            "attachments.0.data_base64",
        ),
        ("reply", {"text": "x", "colour": "red"}, "colour"),
        ("merge", {"target_id": "2"}, "target_id"),
    ]
    for path, body, field in cases:
        response = client.post(f"{API}/tickets/{ticket}/{path}", body)
        assert response.status_code == 422, (path, body, response.content)
        detail = response.json()
        assert detail["errors"][0]["field"] == field, (path, detail)
        assert detail["detail"].startswith(f"{field}: ")
    empty = client.post(f"{API}/tickets/{ticket}/reply", {"text": "  "})
    assert empty.status_code == 422
    assert empty.json()["field"] == "text"
    patch = client.patch(f"{API}/contacts/{team_a_objects['contact_id']}", {"name": None})
    assert patch.status_code == 422
    assert patch.json()["errors"][0]["field"] == "name"


def test_it_answers_413_to_a_body_over_the_upload_limit(
    api: Any, agent_a: Any, team_a_objects: dict[str, int], settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api(agent_a).post(
        f"{API}/tickets/{team_a_objects['ticket_id']}/notes", {"text": "x" * 2000}
    )
    assert response.status_code == 413


def test_it_accepts_no_body_at_all_where_the_body_is_optional(
    api: Any, agent_a: Any, team_a_objects: dict[str, int]
) -> None:
    client = api(agent_a).client
    url = f"{API}/tickets/{team_a_objects['ticket_id']}"
    assert client.post(f"{url}/claim", "", content_type="application/json").status_code == 200
    assert client.generic("POST", f"{url}/unassign").status_code == 200  # like curl -X POST
