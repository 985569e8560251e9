from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from helpdesk.actions.messages import do_reply
from helpdesk.actions.tickets import do_set_status
from helpdesk.automation.engine import dry_run
from helpdesk.automation.rule_actions import deflect_token
from helpdesk.automation.scheduler import run_due_work
from helpdesk.ingest import receive
from helpdesk.models import AuthorKind, Message, Rule, Ticket, TicketStatus
from tests import factories
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def rule(trigger: str, actions: list[dict[str, Any]], conditions: Any = (), **kw: Any) -> Rule:
    return Rule.objects.create(
        name=kw.pop("name", f"{trigger} rule"),
        trigger=trigger,
        actions=actions,
        conditions=list(conditions),
        **kw,
    )


def test_it_tags_and_prioritizes_by_keyword_in_persian(email_inbox_a: Any) -> None:
    rule(
        "ticket_created",
        [{"type": "add_tag", "tag": "refund"}, {"type": "set_priority", "priority": 3}],
        [{"field": "text", "op": "contains", "value": ["بازپرداخت", "refund"]}],
    )
    # Typed on an Arabic keyboard: ي and ك instead of ی and ک still match.
    hit = receive(inbound(email_inbox_a, text="لطفا بازپرداخت پول من را انجام دهيد"))
    miss = receive(inbound(email_inbox_a, text="سلام، سوالی داشتم"))
    hit_ticket = Ticket.objects.get(pk=hit.ticket.pk)
    assert hit_ticket.tags == ["refund"] and hit_ticket.priority == 3
    assert Ticket.objects.get(pk=miss.ticket.pk).tags == []


@pytest.mark.parametrize(
    ("condition", "matches"),
    [
        ({"field": "channel", "op": "is", "value": "email"}, True),
        ({"field": "channel", "op": "is_not", "value": "email"}, False),
        ({"field": "subject", "op": "contains", "value": "invoice"}, True),
        ({"field": "contact.language", "op": "is", "value": "fa"}, False),
        ({"field": "priority", "op": "gte", "value": 2}, True),
        ({"field": "assignee", "op": "is", "value": "none"}, True),
        ({"field": "status", "op": "in", "value": ["new", "open"]}, True),
        ({"field": "tags", "op": "not_contains", "value": "vip"}, True),
        ({"field": "business_hours", "op": "is", "value": "open"}, True),
        ({"field": "contact.attribute", "name": "plan", "op": "is", "value": "gold"}, False),
    ],
)
def test_it_evaluates_each_condition(email_inbox_a: Any, condition: Any, matches: bool) -> None:
    rule("ticket_created", [{"type": "add_tag", "tag": "hit"}], [condition])
    result = receive(inbound(email_inbox_a, subject="Invoice question"))
    assert (Ticket.objects.get(pk=result.ticket.pk).tags == ["hit"]) is matches


def test_it_runs_rules_in_order_and_stops_when_told(email_inbox_a: Any) -> None:
    rule("ticket_created", [{"type": "add_tag", "tag": "second"}], position=2)
    rule("ticket_created", [{"type": "add_tag", "tag": "first"}], position=1, stop_processing=True)
    result = receive(inbound(email_inbox_a))
    assert Ticket.objects.get(pk=result.ticket.pk).tags == ["first"]


def test_it_assigns_to_an_agent_and_moves_to_a_team(
    email_inbox_a: Any, agent_a: Any, team_b: Any
) -> None:
    rule("ticket_created", [{"type": "assign_agent", "user_id": agent_a.pk}])
    result = receive(inbound(email_inbox_a))
    assert Ticket.objects.get(pk=result.ticket.pk).assignee_id == agent_a.pk
    Rule.objects.all().delete()
    rule("customer_message", [{"type": "assign_team", "team_id": team_b.pk}])
    moved = receive(inbound(email_inbox_a, sender="other@example.com"))
    ticket = Ticket.objects.get(pk=moved.ticket.pk)
    assert ticket.team_id == team_b.pk


def test_it_sends_a_rule_reply_with_placeholders(email_inbox_a: Any) -> None:
    rule("ticket_created", [{"type": "auto_reply", "template": {"en": "Hi {{contact.name}}!"}}])
    result = receive(inbound(email_inbox_a, name="Nima"))
    reply = Message.objects.get(ticket=result.ticket, author_kind=AuthorKind.SYSTEM)
    assert reply.text == "Hi Nima!"


def test_a_rule_cannot_trigger_itself_in_a_loop(email_inbox_a: Any, agent_a: Any) -> None:
    rule(
        "status_changed",
        [{"type": "set_status", "status": "open"}, {"type": "add_tag", "tag": "x"}],
    )
    ticket = receive(inbound(email_inbox_a)).ticket
    do_set_status(agent_a, ticket.pk, TicketStatus.PENDING)
    ticket.refresh_from_db()
    # The rule reopened it once; its own status change did not fire it again.
    assert ticket.status == TicketStatus.OPEN and ticket.tags == ["x"]
    assert ticket.events.filter(type="ticket.status_changed").count() == 2


def test_it_reacts_to_agent_replies(email_inbox_a: Any, agent_a: Any) -> None:
    rule("agent_replied", [{"type": "add_tag", "tag": "answered"}])
    ticket = receive(inbound(email_inbox_a)).ticket
    do_reply(agent_a, ticket.pk, "Here you go")
    assert Ticket.objects.get(pk=ticket.pk).tags == ["answered"]


def test_it_fires_no_agent_reply_rules_once_per_silence(email_inbox_a: Any) -> None:
    rule("no_agent_reply", [{"type": "set_priority", "priority": 4}], hours=4)
    ticket = receive(inbound(email_inbox_a)).ticket
    assert run_due_work()["rules"] == 0
    long_ago = timezone.now() - timedelta(hours=5)
    Ticket.objects.filter(pk=ticket.pk).update(last_customer_message_at=long_ago)
    assert run_due_work()["rules"] == 1
    assert run_due_work()["rules"] == 0
    assert Ticket.objects.get(pk=ticket.pk).priority == 4


def test_it_fires_no_customer_reply_rules(email_inbox_a: Any, agent_a: Any) -> None:
    rule("no_customer_reply", [{"type": "set_status", "status": "resolved"}], hours=48)
    ticket = receive(inbound(email_inbox_a)).ticket
    do_reply(agent_a, ticket.pk, "Does this help?")
    now = timezone.now()
    Ticket.objects.filter(pk=ticket.pk).update(
        last_customer_message_at=now - timedelta(hours=50),
        last_agent_message_at=now - timedelta(hours=49),
    )
    run_due_work()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.RESOLVED


def test_it_wakes_snoozed_tickets(email_inbox_a: Any, agent_a: Any) -> None:
    ticket = receive(inbound(email_inbox_a)).ticket
    do_set_status(agent_a, ticket.pk, "snoozed", snoozed_until=timezone.now() + timedelta(hours=1))
    assert run_due_work()["woken"] == 0
    Ticket.objects.filter(pk=ticket.pk).update(snoozed_until=timezone.now() - timedelta(minutes=1))
    assert run_due_work()["woken"] == 1
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.OPEN


def test_it_dry_runs_a_rule_without_changing_anything(email_inbox_a: Any) -> None:
    ticket = receive(inbound(email_inbox_a, subject="Invoice")).ticket
    r = rule(
        "customer_message",
        [{"type": "add_tag", "tag": "billing"}],
        [{"field": "subject", "op": "contains", "value": "invoice"}],
    )
    result = dry_run(r, ticket)
    assert result.matches and result.actions == ["add_tag {'tag': 'billing'}"]
    assert Ticket.objects.get(pk=ticket.pk).tags == []


def test_it_resolves_a_deflected_ticket_from_the_customers_link(email_inbox_a: Any) -> None:
    ticket = receive(inbound(email_inbox_a)).ticket
    client = Client(enforce_csrf_checks=True)
    url = f"/automation/solved/{deflect_token(ticket.pk)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW  # GET changes nothing
    token = page.context["csrf_token"]
    assert client.post(url, {"csrfmiddlewaretoken": str(token)}).status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and "deflected" in ticket.tags
    assert Client().get("/automation/solved/forged-token/").status_code == 404


def test_admin_dry_run_page(email_inbox_a: Any, admin_user: Any) -> None:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    ticket = receive(inbound(email_inbox_a)).ticket
    r = rule("customer_message", [{"type": "add_tag", "tag": "t"}])
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/admin/helpdesk/rule/{r.pk}/dry-run/", {"ticket": ticket.pk})
    assert page.status_code == 200 and b"these actions would run" in page.content
    assert "Add tag — Tag: t" in page.content.decode()  # in words, not JSON
    assert factories  # the shared builders stay importable here


def test_it_snoozes_by_rule_and_sets_status(email_inbox_a: Any) -> None:
    rule("ticket_created", [{"type": "snooze", "hours": 2}], name="snooze new")
    snoozed = Ticket.objects.get(pk=receive(inbound(email_inbox_a)).ticket.pk)
    assert snoozed.status == TicketStatus.SNOOZED
    assert snoozed.snoozed_until is not None
    assert timedelta(hours=1.9) < snoozed.snoozed_until - timezone.now() <= timedelta(hours=2)
    Rule.objects.all().delete()
    rule("ticket_created", [{"type": "set_status", "status": "pending"}], name="pend")
    pending = Ticket.objects.get(
        pk=receive(inbound(email_inbox_a, sender="x@example.com")).ticket.pk
    )
    assert pending.status == TicketStatus.PENDING
