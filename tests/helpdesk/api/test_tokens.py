"""API tokens: scopes, expiry, revocation, who may hold one, and the rate limits."""

from __future__ import annotations

import secrets
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.models import Agent, ApiToken, Role, Ticket, TokenScope
from helpdesk.staff.tokens import do_issue_token, do_revoke_token
from tests import factories
from tests.helpdesk.api.conftest import API, WRITE_METHODS, fill, operations

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _fresh_ip() -> str:
    """An address no earlier run counted (the Redis cache outlives a test run)."""
    return f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"


def _client(raw: str, ip: str = "192.0.2.1") -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR=ip)


def test_it_refuses_every_write_to_a_read_only_token(
    agent_a: Any, team_a_objects: dict[str, int]
) -> None:
    _token, raw = do_issue_token(agent_a, agent_a, scope=TokenScope.READ)
    client = _client(raw)
    assert client.get(f"{API}/tickets/{team_a_objects['ticket_id']}").status_code == 200
    writes = operations(WRITE_METHODS)
    assert len(writes) >= 10
    for method, path, _op in writes:
        response = getattr(client, method)(
            fill(path, team_a_objects), {}, content_type="application/json"
        )
        assert response.status_code == 403, (method, path, response.content)
        assert response.json()["detail"] == "this token is read-only"
    assert Ticket.objects.get(pk=team_a_objects["ticket_id"]).assignee_id is None


def test_it_keeps_merges_for_admin_scope_tokens(
    supervisor_a: Any, email_inbox_a: Any, make_ticket: Any
) -> None:
    first, second = make_ticket(email_inbox_a), make_ticket(email_inbox_a)
    _token, tickets_raw = do_issue_token(supervisor_a, supervisor_a, scope=TokenScope.TICKETS)
    body = {"target_id": first.pk}
    refused = _client(tickets_raw).post(
        f"{API}/tickets/{second.pk}/merge", body, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "needs admin" in refused.json()["detail"]
    claimed = _client(tickets_raw).post(
        f"{API}/tickets/{second.pk}/claim", {}, content_type="application/json"
    )
    assert claimed.status_code == 200
    _token, admin_raw = do_issue_token(supervisor_a, supervisor_a, scope=TokenScope.ADMIN)
    merged = _client(admin_raw).post(
        f"{API}/tickets/{second.pk}/merge", body, content_type="application/json"
    )
    assert merged.status_code == 200, merged.content


def test_it_refuses_the_admin_scope_to_a_plain_agent(agent_a: Any) -> None:
    with pytest.raises(Invalid, match="supervisors and admins"):
        do_issue_token(agent_a, agent_a, scope=TokenScope.ADMIN)


def test_it_refuses_an_expired_or_revoked_token(agent_a: Any) -> None:
    token, raw = do_issue_token(agent_a, agent_a, expires_at=timezone.now() + timedelta(minutes=5))
    assert _client(raw).get(f"{API}/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _client(raw).get(f"{API}/me").status_code == 401
    token, raw = do_issue_token(agent_a, agent_a)
    do_revoke_token(agent_a, token.pk)
    assert _client(raw).get(f"{API}/me").status_code == 401
    with pytest.raises(Invalid, match="future"):
        do_issue_token(agent_a, agent_a, expires_at=timezone.now() - timedelta(days=1))


def test_it_gives_no_working_token_to_a_user_without_an_agent_profile(agent_a: Any) -> None:
    plain = factories.make_user("nobody")
    Agent.objects.filter(user=plain).delete()
    plain.refresh_from_db()
    with pytest.raises(Invalid, match="no agent profile"):
        do_issue_token(plain, plain)
    with pytest.raises(CommandError, match="no agent profile"):
        call_command("create_api_token", "nobody", stdout=StringIO(), stderr=StringIO())
    # A token issued before the profile went away stops working with it: refused
    # like every agent page refuses a user without a profile.
    _token, raw = ApiToken.issue(agent_a)
    Agent.objects.filter(user=agent_a).delete()
    refused = _client(raw).get(f"{API}/me")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "this account has no agent profile"}


def test_it_lets_only_the_owner_or_an_admin_revoke_or_issue(
    agent_a: Any, agent_b: Any, admin_user: Any
) -> None:
    token, _raw = do_issue_token(agent_a, agent_a)
    with pytest.raises(NotFound):
        do_revoke_token(agent_b, token.pk)
    with pytest.raises(Forbidden):
        do_issue_token(agent_b, agent_a)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    do_revoke_token(admin_user, token.pk)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    _token, raw = do_issue_token(admin_user, agent_a, scope=TokenScope.READ)
    assert _client(raw).get(f"{API}/me").json()["username"] == "alice"


def test_it_issues_scoped_expiring_tokens_on_the_command_line(supervisor_a: Any) -> None:
    out = StringIO()
    call_command("create_api_token", "sara", "--scope", "read", "--expires-days", "7", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(user=supervisor_a)
    assert token.scope == TokenScope.READ
    assert token.expires_at is not None
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)
    claim = _client(raw).post(f"{API}/tickets/1/claim", {}, content_type="application/json")
    assert claim.status_code == 403


def test_it_limits_requests_per_token_with_retry_after(settings: Any, agent_a: Any) -> None:
    settings.HELPDESK_API_RATE_PER_TOKEN = "3/m"
    settings.HELPDESK_API_RATE_PER_IP = ""
    _token, raw = do_issue_token(agent_a, agent_a)
    ip = _fresh_ip()
    client = _client(raw, ip=ip)
    assert [client.get(f"{API}/me").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(f"{API}/me")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another token of the same user from the same address has its own budget.
    _token, other = do_issue_token(agent_a, agent_a)
    assert _client(other, ip=ip).get(f"{API}/me").status_code == 200


def test_it_limits_requests_per_address_even_with_bad_tokens(settings: Any, agent_a: Any) -> None:
    settings.HELPDESK_API_RATE_PER_IP = "4/h"
    settings.HELPDESK_API_RATE_PER_TOKEN = ""
    ip = _fresh_ip()
    codes = [_client(f"hd_guess{n}", ip=ip).get(f"{API}/me").status_code for n in range(4)]
    assert codes == [401] * 4
    _token, raw = do_issue_token(agent_a, agent_a)
    refused = _client(raw, ip=ip).get(f"{API}/me")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    # A forged X-Forwarded-For does not buy a new address.
    forged = Client(
        HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR=ip, HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert forged.get(f"{API}/me").status_code == 429
    assert _client(raw, ip=_fresh_ip()).get(f"{API}/me").status_code == 200


def test_it_never_widens_the_role_with_an_admin_scope(
    agent_a: Any, agent_a2: Any, email_inbox_a: Any, make_ticket: Any
) -> None:
    """An admin-scope token never widens its user's role: an agent still cannot merge."""
    first, second = make_ticket(email_inbox_a), make_ticket(email_inbox_a)
    raw = factories.make_token(agent_a, scope=TokenScope.ADMIN)
    response = _client(raw).post(
        f"{API}/tickets/{second.pk}/merge", {"target_id": first.pk}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Agent.objects.get(user=agent_a).role == Role.AGENT
