"""SLA in the inbox: countdown badges, the "Breaching soon" and "Breached" lists with
counts, sort by next due, the ticket header; English and Persian."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions.tickets import do_set_tags
from helpdesk.ingest import receive
from helpdesk.models import Agent, Ticket
from helpdesk.sla.scheduler import tick
from tests import factories
from tests.helpdesk.sla.conftest import make_policy

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def tickets(email_inbox_a: Any, agent_a: Any, settings: Any) -> Iterator[dict[str, Ticket]]:
    settings.HELPDESK_SLA_DUE_SOON_MINUTES = 30
    make_policy(
        "Quick",
        position=0,
        first=20,
        conditions=[{"field": "tags", "op": "contains", "value": "quick"}],
    )
    make_policy("Standard", position=1, first=240)
    late = receive(factories.inbound(email_inbox_a, sender="late@x.org", subject="Late one")).ticket
    soon = receive(factories.inbound(email_inbox_a, sender="soon@x.org", subject="Soon one")).ticket
    calm = receive(factories.inbound(email_inbox_a, sender="calm@x.org", subject="Calm one")).ticket
    do_set_tags(agent_a, late.pk, ["quick"])
    do_set_tags(agent_a, soon.pk, ["quick"])
    # "late" was opened an hour ago: its 20 minutes are long gone.
    from helpdesk.sla.models import TicketSla

    row = TicketSla.objects.get(pk=late.pk)
    row.first_response_due_at = timezone.now() - timedelta(minutes=40)
    row.save()
    from helpdesk.sla import clocks

    clocks.refresh(row, timezone.now())
    row.save()
    tick()
    yield {"late": late, "soon": soon, "calm": calm}


def subjects(body: str) -> list[str]:
    return re.findall(r'<span class="subject text-truncate"><bdi>([^<]+)</bdi>', body)


def test_the_lists_show_breached_and_breaching_tickets_with_counts(
    login: Any, agent_a: Any, tickets: dict[str, Ticket]
) -> None:
    client = login(agent_a)
    breached = client.get("/?view=breached").content.decode()
    assert subjects(breached) == ["Late one"]
    assert 'data-count="breached">1<' in breached
    assert 'data-count="breaching">1<' in breached
    assert subjects(client.get("/?view=breaching").content.decode()) == ["Soon one"]
    body = client.get("/?view=teams&sort=due").content.decode()
    assert subjects(body) == ["Late one", "Soon one", "Calm one"]
    assert "sla-badge badge text-bg-danger" in body
    assert "overdue" in body
    assert "First response: Breached, due" in body  # all three targets on hover
    assert "Resolution: not tracked" not in body or "Next response" in body


def test_the_ticket_header_shows_the_countdown(
    login: Any, agent_a: Any, tickets: dict[str, Ticket]
) -> None:
    body = login(agent_a).get(f"/t/{tickets['soon'].pk}/").content.decode()
    header = body.split('class="ticket-head"', 1)[1].split("</header>", 1)[0]
    assert "sla-badge badge text-bg-warning" in header
    assert "due in" in header


def test_the_persian_inbox_speaks_persian_digits(
    login: Any, agent_a: Any, tickets: dict[str, Ticket]
) -> None:
    Agent.objects.filter(user=agent_a).update(language="fa")
    body = login(agent_a).get("/?view=teams&sort=due").content.decode()
    badge = body.split("sla-badge", 2)[1]
    assert re.search("[۰-۹]", badge)
    assert not re.search(r"data-sla-status=\"breached\"[^>]*>[^<]*[0-9]", badge)


def test_the_timeline_logs_the_policy_and_the_breach(
    login: Any, agent_a: Any, tickets: dict[str, Ticket]
) -> None:
    body = login(agent_a).get(f"/t/{tickets['late'].pk}/").content.decode()
    assert "SLA policy <bdi>Standard</bdi> applies" in body
    assert "SLA policy <bdi>Quick</bdi> applies" in body  # tagged quick: applied again
    assert "SLA breached: First response was due" in body
