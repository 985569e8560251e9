"""SLA policies and time rules are edited in the admin without JSON, and refused when wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from helpdesk.models import AttributeDefinition, BusinessHours, Segment
from helpdesk.sla.models import SlaPolicy, TimeRule
from helpdesk.sla.policies import enabled_policies

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def staff(admin_user: Any) -> Client:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    return client


def _policy_post(team_id: int, hours_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Gold",
        "enabled": "on",
        "position": "0",
        "conditions": json.dumps([{"field": "team", "op": "is", "value": team_id}]),
        "business_hours": str(hours_id),
        "pause_statuses": ["pending"],
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "1",
        "targets-MAX_NUM_FORMS": "1000",
        "targets-0-priority": "4",
        "targets-0-first_response_minutes": "15",
        "targets-0-next_response_minutes": "30",
        "targets-0-resolution_minutes": "240",
        "targets-1-priority": "2",
        "targets-1-first_response_minutes": "60",
        "contact_conditions-TOTAL_FORMS": "0",
        "contact_conditions-INITIAL_FORMS": "0",
        "contact_conditions-MIN_NUM_FORMS": "0",
        "contact_conditions-MAX_NUM_FORMS": "1000",
        **extra,
    }


def test_it_saves_a_policy_with_targets_per_priority(staff: Client, team_a: Any) -> None:
    hours = BusinessHours.objects.create(name="Tehran office", weekly={"sat": [["08:00", "17:00"]]})
    page = staff.get("/admin/sla/slapolicy/add/").content.decode()
    assert 'data-editor="conditions"' in page or "rule_editor.js" in page
    assert 'type="checkbox" name="pause_statuses"' in page
    response = staff.post("/admin/sla/slapolicy/add/", _policy_post(team_a.pk, hours.pk))
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = SlaPolicy.objects.get(name="Gold")
    assert policy.pause_statuses == ["pending"]
    assert policy.business_hours == hours
    assert {(t.priority, t.first_response_minutes) for t in policy.targets.all()} == {
        (4, 15),
        (2, 60),
    }


def test_it_saves_contact_segments_and_typed_attribute_conditions(
    staff: Client, team_a: Any
) -> None:
    AttributeDefinition.objects.create(entity="contact", key="seats", label="Seats", type="number")
    vip = Segment.objects.create(name="VIP", definition={})
    hours = BusinessHours.objects.create(name="h", weekly={})
    page = staff.get("/admin/sla/slapolicy/add/").content.decode()
    assert 'type="checkbox" name="segments"' in page and "VIP" in page
    rows = {
        "contact_conditions-TOTAL_FORMS": "2",
        "contact_conditions-0-key": "seats",
        "contact_conditions-0-op": "gte",
        "contact_conditions-0-value": "many",
        "contact_conditions-1-key": "plan",
        "contact_conditions-1-op": "set",
        "segments": [str(vip.pk)],
    }
    refused = staff.post("/admin/sla/slapolicy/add/", _policy_post(team_a.pk, hours.pk, **rows))
    assert refused.status_code == 200 and not SlaPolicy.objects.exists()  # "many" seats
    rows["contact_conditions-0-value"] = "۲۰"
    saved = staff.post("/admin/sla/slapolicy/add/", _policy_post(team_a.pk, hours.pk, **rows))
    assert saved.status_code == 302
    policy = SlaPolicy.objects.get()
    assert list(policy.segments.all()) == [vip]
    conds = {(c.key, c.op, c.value) for c in policy.contact_conditions.all()}
    assert conds == {("seats", "gte", "۲۰"), ("plan", "set", "")}
    (loaded,) = enabled_policies()
    assert [(a.key, a.op, a.value) for a in loaded.contact.attributes] == [
        ("seats", "gte", 20),
        ("plan", "set", None),
    ]


def test_it_refuses_a_condition_on_a_team_that_does_not_exist(staff: Client, team_a: Any) -> None:
    hours = BusinessHours.objects.create(name="h", weekly={})
    post = _policy_post(
        team_a.pk, hours.pk, conditions=json.dumps([{"field": "team", "op": "is", "value": 999999}])
    )
    response = staff.post("/admin/sla/slapolicy/add/", post)
    assert response.status_code == 200
    assert "Condition 1" in response.content.decode()
    assert not SlaPolicy.objects.exists()


def test_it_saves_a_time_rule_and_refuses_one_without_actions(staff: Client) -> None:
    page = staff.get("/admin/sla/timerule/add/").content.decode()
    assert "Round robin among online agents" in page  # the editor offers the actions' lists
    post = {
        "name": "Escalate waiting",
        "enabled": "on",
        "position": "0",
        "trigger": "customer_waiting",
        "amount": "45",
        "conditions": "[]",
        "actions": json.dumps(
            [{"type": "assign", "mode": "least_open"}, {"type": "raise_priority"}]
        ),
    }
    assert staff.post("/admin/sla/timerule/add/", post).status_code == 302
    assert TimeRule.objects.get().actions[0] == {"type": "assign", "mode": "least_open"}
    refused = staff.post("/admin/sla/timerule/add/", {**post, "name": "x", "actions": "[]"})
    assert refused.status_code == 200
    assert TimeRule.objects.count() == 1


def test_an_admin_action_starts_the_clocks_of_older_open_tickets(
    staff: Client, email_inbox_a: Any
) -> None:
    from helpdesk.ingest import receive
    from helpdesk.sla.models import TicketSla
    from tests import factories
    from tests.helpdesk.sla.conftest import make_policy

    older = receive(factories.inbound(email_inbox_a, sender="old@example.com")).ticket
    assert not TicketSla.objects.filter(pk=older.pk).exists()  # no policy back then
    policy = make_policy("Later")
    response = staff.post(
        "/admin/sla/slapolicy/",
        {"action": "start_open_tickets", "_selected_action": [policy.pk]},
        follow=True,
    )
    assert "Clocks started on 1 open tickets." in response.content.decode()
    assert TicketSla.objects.get(pk=older.pk).policy_name == "Later"
