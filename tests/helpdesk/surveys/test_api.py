"""GET /api/v1/surveys/responses: filters, pagination, team scoping."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.surveys.actions import do_answer, do_send_survey_now
from helpdesk.surveys.models import SurveyKind, SurveyRequest, SurveyResponse
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/surveys/responses"


def _answered(inbox: Any, actor: Any, score: int, *, sender: str, comment: str = "") -> Any:
    ticket = open_ticket(inbox, sender=sender)
    request = do_send_survey_now(actor, ticket.pk)
    return do_answer(request.pk, score, comment=comment)


def test_it_lists_answers_of_the_callers_teams_only(
    api: Any, email_inbox_a: Any, email_inbox_b: Any, agent_a: Any, agent_b: Any, admin_user: Any
) -> None:
    mine = _answered(email_inbox_a, agent_a, 5, sender="a@example.com", comment="great")
    theirs = _answered(email_inbox_b, agent_b, 1, sender="b@example.com")
    body = api(agent_a).get(URL).json()
    assert [i["id"] for i in body["items"]] == [mine.pk]
    item = body["items"][0]
    assert item["kind"] == "csat" and item["score"] == 5 and item["comment"] == "great"
    assert item["ticket_id"] == mine.ticket_id and item["contact_id"] == mine.contact_id
    assert item["channel"] == "email" and item["answered_at"]
    assert {i["id"] for i in api(admin_user).get(URL).json()["items"]} == {mine.pk, theirs.pk}
    # Another team's filter gives nothing rather than their answers.
    assert api(agent_a).get(URL, team=email_inbox_b.team_id).json()["items"] == []


def test_it_filters_by_kind_period_inbox_and_agent(
    api: Any, email_inbox_a: Any, agent_a: Any, admin_user: Any
) -> None:
    old = _answered(email_inbox_a, agent_a, 3, sender="old@example.com")
    new = _answered(email_inbox_a, agent_a, 4, sender="new@example.com")
    SurveyResponse.objects.filter(pk=old.pk).update(answered_at=timezone.now() - timedelta(days=30))
    SurveyRequest.objects.filter(pk=new.request_id).update(kind=SurveyKind.NPS)
    SurveyResponse.objects.filter(pk=new.pk).update(kind=SurveyKind.NPS)
    client = api(admin_user)
    assert [i["id"] for i in client.get(URL, kind="nps").json()["items"]] == [new.pk]
    assert [i["id"] for i in client.get(URL, kind="csat").json()["items"]] == [old.pk]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert [i["id"] for i in client.get(URL, since=since).json()["items"]] == [new.pk]
    assert [i["id"] for i in client.get(URL, until=since).json()["items"]] == [old.pk]
    assert len(client.get(URL, inbox=email_inbox_a.pk).json()["items"]) == 2
    assert client.get(URL, agent=admin_user.pk).json()["items"] == []
    assert client.get(URL, kind="other").status_code == 422
    assert client.get(URL, since="2026-01-01T00:00:00").status_code == 422  # naive time


def test_it_pages_with_a_cursor_in_a_fixed_number_of_queries(
    api: Any, email_inbox_a: Any, agent_a: Any, django_assert_num_queries: Any
) -> None:
    made = [_answered(email_inbox_a, agent_a, 5, sender=f"c{i}@example.com") for i in range(5)]
    client = api(agent_a)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, **params).json()
        seen += [i["id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(r.pk for r in made) and len(seen) == 5
    client.get(URL)  # warm the token's caches
    with django_assert_num_queries(3):
        client.get(URL, limit=25)


def test_it_accepts_any_offset_a_client_sends(api: Any, admin_user: Any) -> None:
    # PostgreSQL refuses offsets past +-15:59; the API compares the instant in UTC.
    client = api(admin_user)
    assert client.get(URL, since="2026-01-01T00:00:00+23:59").status_code == 200
    assert client.get(URL, until="0001-01-01T00:00:00+01:00").status_code == 422
