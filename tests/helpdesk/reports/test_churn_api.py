"""GET /api/v1/reports/churn: churn and at-risk contacts, optionally of one CRM segment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.models import Segment
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.crm.test_segment_surveys import _answer
from tests.helpdesk.reports.conftest import local
from tests.helpdesk.sla.conftest import Clock

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]
URL = "/api/v1/reports/churn"


def test_it_answers_churn_and_at_risk_contacts_of_a_segment(
    clock: Clock,
    api: Any,
    admin_user: Any,
    agent_b: Any,
    email_inbox_a: Any,
    email_inbox_b: Any,
    committed: Callable[..., Any],
) -> None:
    clock.now = local(2, 10)  # the previous week: X and Y write
    x = committed(open_ticket, email_inbox_a, sender="x@example.com", name="X")
    committed(open_ticket, email_inbox_a, sender="y@example.com", name="Y")
    clock.now = local(3, 10)
    _answer(x, "csat", 1)  # unhappy, and never back
    clock.now = local(9, 10)  # this week: only Y writes again (to team B's inbox)
    committed(open_ticket, email_inbox_b, sender="y@example.com", name="Y")
    clock.now = local(15, 0)
    week = {"since": local(8, 0).isoformat(), "until": local(15, 0).isoformat()}

    every = api(admin_user).get(URL, **week).json()
    assert {k: every[k] for k in ("previous_contacts", "returned", "churned", "churn_pct")} == {
        "previous_contacts": 2,
        "returned": 1,
        "churned": 1,
        "churn_pct": 50.0,
    }
    assert [(r["contact_id"], r["kind"], r["score"]) for r in every["at_risk"]] == [
        (x.contact_id, "csat", 1)
    ]
    unhappy = Segment.objects.create(name="Unhappy", definition={"csat_max": 2})
    only = api(admin_user).get(URL, segment_id=unhappy.pk, **week).json()
    assert (only["previous_contacts"], only["churned"], only["churn_pct"]) == (1, 1, 100.0)
    assert [r["contact_id"] for r in only["at_risk"]] == [x.contact_id]
    missing = api(admin_user).get(URL, segment_id=unhappy.pk + 1000, **week)
    assert missing.status_code == 422
    # Team B's agent sees team B's conversations only: nobody wrote to it last week.
    theirs = api(agent_b).get(URL, **week).json()
    assert (theirs["previous_contacts"], theirs["churn_pct"], theirs["at_risk"]) == (0, None, [])
