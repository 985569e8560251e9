"""The inbox's API tokens page: create (shown once), list by prefix, revoke."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from helpdesk.models import Agent, ApiToken
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_creates_lists_and_revokes_a_token(login: Any, agent_a: Any) -> None:
    client = login(agent_a)
    created = client.post(
        reverse("api_tokens"), {"name": "CI", "scope": "read", "expires_in_days": "30"}
    )
    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    raw = created.context["raw"]
    token = ApiToken.objects.get(user=agent_a)
    assert raw.startswith("hd_") and token.scope == "read" and token.expires_at
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="192.0.2.30")
    assert api.get("/api/v1/me").status_code == 200
    listing = client.get(reverse("api_tokens"))
    assert token.prefix.encode() in listing.content
    assert raw.encode() not in listing.content  # shown once only
    client.post(reverse("revoke_api_token", args=[token.pk]))
    assert api.get("/api/v1/me").status_code == 401


def test_it_refuses_to_revoke_someone_elses_token(login: Any, agent_a: Any, agent_b: Any) -> None:
    token, _raw = ApiToken.issue(agent_a)
    response = login(agent_b).post(reverse("revoke_api_token", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert token.prefix.encode() not in login(agent_b).get(reverse("api_tokens")).content


def test_it_refuses_the_admin_scope_to_an_agent_and_the_page_to_a_non_agent(
    login: Any, agent_a: Any
) -> None:
    page = login(agent_a).post(reverse("api_tokens"), {"scope": "admin", "expires_in_days": "0"})
    assert page.status_code == 200
    assert b"supervisors and admins" in page.content
    assert not ApiToken.objects.exists()
    plain = factories.make_user("nobody")
    Agent.objects.filter(user=plain).delete()
    plain.refresh_from_db()
    client = login(plain)
    refused = client.get(reverse("api_tokens"))
    assert refused.status_code == 403 and b"has no agent profile" in refused.content
    assert client.post(reverse("api_tokens"), {"scope": "read"}).status_code == 403
    assert not ApiToken.objects.exists()
