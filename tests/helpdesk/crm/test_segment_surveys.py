"""CSAT and NPS conditions of contact filters, segments, the contacts page and the API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from helpdesk.crm import segments
from helpdesk.crm.filters import ContactFilter, apply_filter
from helpdesk.models import Contact, Segment, Ticket
from helpdesk.surveys.models import RequestStatus, SurveyRequest, SurveyResponse
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


def _answer(ticket: Ticket, kind: str, score: int, days_ago: float = 0) -> None:
    """One answered survey of the ticket's contact, `days_ago` days ago."""
    at = timezone.now() - timedelta(days=days_ago)
    request = SurveyRequest.objects.create(
        kind=kind,
        status=RequestStatus.ANSWERED,
        contact_id=ticket.contact_id,
        ticket=ticket,
        inbox_id=ticket.inbox_id,
        channel="email",
        send_after=at,
        sent_at=at,
    )
    SurveyResponse.objects.create(
        request=request,
        kind=kind,
        score=score,
        contact_id=ticket.contact_id,
        ticket=ticket,
        inbox_id=ticket.inbox_id,
        channel="email",
        answered_at=at,
        updated_at=at,
    )


@pytest.fixture
def surveyed(email_inbox_a: Any) -> dict[str, Contact]:
    """Contacts with CSAT and NPS histories: the *last* answer of each kind decides."""
    people: dict[str, Contact] = {}
    history: dict[str, list[tuple[str, int, float]]] = {
        "Was happy now unhappy": [("csat", 5, 20), ("csat", 2, 1)],
        "Was unhappy now happy": [("csat", 1, 20), ("csat", 5, 1)],
        "Promoter": [("nps", 3, 50), ("nps", 10, 2)],
        "Passive": [("nps", 7, 3), ("csat", 1, 60)],
        "Old detractor": [("nps", 4, 45)],
        "Never asked": [],
    }
    for n, (name, answers) in enumerate(history.items()):
        ticket = open_ticket(email_inbox_a, sender=f"p{n}@example.com", name=name)
        for kind, score, days_ago in answers:
            _answer(ticket, kind, score, days_ago)
        people[name] = ticket.contact
    return people


def _names(flt: dict[str, Any]) -> set[str]:
    qs = apply_filter(Contact.objects.all(), ContactFilter.model_validate(flt))
    return set(qs.values_list("name", flat=True))


@pytest.mark.embedded
def test_it_filters_by_the_last_csat_the_nps_group_and_recent_answers(
    surveyed: dict[str, Contact],
) -> None:
    assert _names({"csat_max": 2}) == {"Was happy now unhappy", "Passive"}
    assert _names({"csat_min": 4}) == {"Was unhappy now happy"}
    assert _names({"csat_min": 2, "csat_max": 3}) == {"Was happy now unhappy"}
    assert _names({"nps": "promoter"}) == {"Promoter"}  # its earlier 3 no longer counts
    assert _names({"nps": "passive"}) == {"Passive"}
    assert _names({"nps": "detractor"}) == {"Old detractor"}
    assert _names({"surveyed_within_days": 7}) == {
        "Was happy now unhappy",
        "Was unhappy now happy",
        "Promoter",
        "Passive",
    }
    assert _names({"nps": "detractor", "surveyed_within_days": 30}) == set()
    # Combined with hand-added members, like any other condition.
    listed = _names({"nps": "promoter", "include_ids": [surveyed["Never asked"].pk]})
    assert listed == {"Promoter", "Never asked"}


@pytest.mark.embedded
def test_it_counts_a_segment_of_detractors_and_refuses_bad_survey_conditions(
    surveyed: dict[str, Contact],
) -> None:
    segment = Segment.objects.create(name="Unhappy", definition={"csat_max": 2, "nps": "passive"})
    assert segments.count(segment) == 1
    assert set(segments.members(segment).values_list("name", flat=True)) == {"Passive"}
    for bad in ({"nps": "fan"}, {"csat_max": 6}, {"csat_min": 0}, {"surveyed_within_days": -1}):
        with pytest.raises(ValueError):
            ContactFilter.model_validate(bad)


def test_it_filters_the_api_list_and_the_contacts_page_by_surveys(
    api: Any, admin_user: Any, agent_a: Any, surveyed: dict[str, Contact]
) -> None:
    made = api(admin_user).post(
        "/api/v1/segments", {"name": "Detractors", "definition": {"nps": "detractor"}}
    )
    assert made.status_code == 201, made.content
    count = api(agent_a).get(f"/api/v1/segments/{made.json()['id']}/count").json()["count"]
    assert count == 1
    bad = api(admin_user).post("/api/v1/segments", {"name": "Bad", "definition": {"nps": "fan"}})
    assert bad.status_code == 422
    body = api(agent_a).get("/api/v1/contacts", nps="detractor").json()
    assert [c["name"] for c in body["items"]] == ["Old detractor"]
    body = api(agent_a).get("/api/v1/contacts", csat_max=2, surveyed_within_days=2).json()
    assert [c["name"] for c in body["items"]] == ["Was happy now unhappy"]
    assert api(agent_a).get("/api/v1/contacts", nps="fan").status_code == 422
    client = Client()
    client.force_login(agent_a)
    page = client.get("/contacts/", {"csat_max": "2", "nps": "passive"}).content.decode()
    assert "Passive" in page and "Was happy now unhappy" not in page
    assert 'name="csat_max" value="2"' in page  # carried into "save as a segment"
