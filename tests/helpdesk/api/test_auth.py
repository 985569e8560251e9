from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from helpdesk.models import ApiToken, hash_token
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_refuses_requests_without_or_with_a_bad_token(agent_a: Any) -> None:
    client = Client()
    assert client.get(f"{API}/me").status_code == 401
    assert client.get(f"{API}/tickets", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get(f"{API}/tickets", HTTP_AUTHORIZATION="Token x").status_code == 401
    body = client.post(f"{API}/tickets/1/claim", HTTP_AUTHORIZATION="Bearer ").json()
    assert body == {"detail": "missing or invalid bearer token"}


def test_it_refuses_the_token_of_a_deactivated_user(api: Any, agent_a: Any) -> None:
    client = api(agent_a)
    assert client.get(f"{API}/me").status_code == 200
    agent_a.is_active = False
    agent_a.save(update_fields=["is_active"])
    assert client.get(f"{API}/me").status_code == 401


def test_it_says_who_the_caller_is(api: Any, supervisor_a: Any, team_a: Any) -> None:
    body = api(supervisor_a).get(f"{API}/me").json()
    assert body["username"] == "sara"
    assert body["display_name"] == "Sara"
    assert body["role"] == "supervisor"
    assert body["teams"] == [{"id": team_a.pk, "name": "Team A"}]


def test_it_prints_a_working_token_and_stores_only_its_hash(agent_a: Any) -> None:
    out = StringIO()
    call_command("create_api_token", "alice", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("hd_")
    stored = ApiToken.objects.get(user=agent_a)
    assert stored.token_hash == hash_token(raw)
    assert raw not in {stored.token_hash, stored.prefix, stored.name}
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    response = Client().get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == "alice"


def test_it_explains_an_unknown_username(db: None) -> None:
    with pytest.raises(CommandError, match="no user named 'ghost'"):
        call_command("create_api_token", "ghost", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_it_serves_a_valid_openapi_document(db: None) -> None:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "Helpdesk API"
    assert f"{API}/tickets" in doc["paths"]
    schemes = doc["components"]["securitySchemes"].values()
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes)
    operation_ids: list[str] = []
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            assert op["responses"], (method, path)
            operation_ids.append(op["operationId"])
            for param in op.get("parameters", []):
                if param["in"] == "path":
                    assert "{" + param["name"] + "}" in path
    assert len(operation_ids) == len(set(operation_ids))
    _assert_refs_resolve(doc, doc)


def _assert_refs_resolve(node: Any, doc: dict[str, Any]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            target: Any = doc
            for part in ref.removeprefix("#/").split("/"):
                assert part in target, f"unresolved {ref}"
                target = target[part]
        for value in node.values():
            _assert_refs_resolve(value, doc)
    elif isinstance(node, list):
        for value in node:
            _assert_refs_resolve(value, doc)
