"""The demo's report history: four weeks of conversations, so every report shows something.

Runs inside seed_demo's transaction, after the surveys are set up. Each conversation is
played through the real actions (ingest, assign, reply, resolve, reopen, CSAT answers)
with the clock set back to when it happened, so events, facts and rollups are what a
desk that had lived those weeks would have; the facts are refreshed after the commit.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from helpdesk.actions.messages import (
    do_add_note,
    do_record_delivery,
    do_reply,
    do_start_delivery,
)
from helpdesk.actions.tickets import do_claim, do_set_status, do_set_tags
from helpdesk.inbound import InboundMessage, Sender, ThreadHints
from helpdesk.ingest import receive
from helpdesk.models import Agent, DeliveryStatus, Direction, Inbox, Message, Ticket
from helpdesk.staff.presence import do_set_presence
from helpdesk.surveys.actions import do_answer, do_send_request, new_csat_request

DAYS = 28  # the last two weeks busy, the two before them one conversation every other day
BUSY_DAYS = 15
DOMAIN = "@history.example.com"
TEHRAN = ZoneInfo("Asia/Tehran")
CUSTOMERS = [
    ("Sara Karimi", "سارا کریمی"),
    ("Reza Moradi", "رضا مرادی"),
    ("Emily Clark", ""),
    ("Nima Jafari", "نیما جعفری"),
    ("Leila Hosseini", "لیلا حسینی"),
    ("Tom Baker", ""),
    ("Arash Rahimi", "آرش رحیمی"),
    ("Mina Sadeghi", "مینا صادقی"),
    ("Olivia Brown", ""),
    ("Kaveh Najafi", "کاوه نجفی"),
]
SUBJECTS = [
    "Invoice question · پرسش درباره فاکتور",
    "Cannot log in · ورود ممکن نیست",
    "Delivery is late · تاخیر در ارسال",
    "Refund request · درخواست بازپرداخت",
    "How do I change my plan? · تغییر طرح",
]
TAGS = ["billing", "login", "shipping", "refund", "plan"]  # one per subject, for the Tags report
# The agent's working day (Tehran): online, away for lunch, back, offline.
PRESENCE_DAY = [((8, 45), "online"), ((12, 30), "away"), ((13, 0), "online"), ((17, 30), "offline")]


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """timezone.now() is `moment` inside (events, auto_now and the actions read it)."""
    with mock.patch("django.utils.timezone.now", lambda: moment):
        yield


def _inbound(
    inbox: Inbox, who: int, text: str, subject: str, at: datetime, ticket: int | None = None
) -> InboundMessage:
    name_en, name_fa = CUSTOMERS[who]
    return InboundMessage(
        inbox_id=inbox.pk,
        external_id=f"<history-{inbox.pk}-{who}-{at.timestamp():.0f}@example.com>",
        sender=Sender(
            kind="email", address=f"customer{who}{DOMAIN}", display_name=name_fa or name_en
        ),
        received_at=at,
        subject=subject,
        text=text,
        html="",
        attachments=(),
        thread=ThreadHints(in_reply_to=None, references=(), ticket_number=ticket),
    )


def history_tickets() -> QuerySet[Ticket]:
    """The conversations this module made (their customers write from DOMAIN)."""
    return Ticket.objects.filter(contact__identities__address__endswith=DOMAIN)


def _conversation(rng: random.Random, inbox: Inbox, agent: Any, start: datetime) -> None:
    who = rng.randrange(len(CUSTOMERS))
    subject = rng.choice(SUBJECTS)
    with _at(start):
        ticket = receive(_inbound(inbox, who, "Hello, I need help.", subject, start)).ticket
    moment = start + timedelta(minutes=rng.choice([2, 5, 15]))
    if rng.random() < 0.4:
        with _at(moment):
            do_add_note(agent, ticket.pk, "Checking the order history.")
    moment += timedelta(minutes=rng.choice([5, 10, 20, 45, 90, 240, 600]))
    if moment > timezone.now() - timedelta(minutes=30) or rng.random() < 0.08:
        return  # still waiting for its first answer
    assignee = Ticket.objects.filter(pk=ticket.pk).values_list("assignee", flat=True).first()
    if assignee is not None:  # the desk's own assignment got there first
        agent = get_user_model().objects.get(pk=assignee)
    with _at(moment):
        if assignee is None:
            do_claim(agent, ticket.pk)
        do_reply(agent, ticket.pk, "Thanks, here is what to do.")
        if rng.random() < 0.7:
            do_set_tags(agent, ticket.pk, [TAGS[SUBJECTS.index(subject)]])
    moment += timedelta(hours=rng.choice([1, 2, 5, 20]))
    if moment > timezone.now() or rng.random() < 0.15:
        return  # waiting on the customer
    with _at(moment):
        receive(_inbound(inbox, who, "It works now, thank you.", subject, moment, ticket.pk))
    moment += timedelta(minutes=rng.choice([10, 30, 60]))
    with _at(moment):
        do_set_status(agent, ticket.pk, "resolved")
    if rng.random() < 0.15:
        moment += timedelta(hours=3)
        with _at(moment):
            do_set_status(agent, ticket.pk, "open")
        moment += timedelta(hours=1)
        with _at(moment):
            do_set_status(agent, ticket.pk, "resolved")
    if rng.random() < 0.5:
        moment += timedelta(hours=1)
        _csat(ticket.pk, rng.choice([5, 5, 4, 4, 3, 2, 1]) if who % 4 else 1, moment)


def _csat(ticket_id: int, score: int, at: datetime) -> None:
    with _at(at):
        ticket = Ticket.objects.select_related("inbox", "contact").get(pk=ticket_id)
        request = new_csat_request(ticket)
        request.save()
        if do_send_request(request.pk, manual=True) is not None:
            do_answer(request.pk, score, via="page")


def seed_reports(people: dict[str, Any], inboxes: dict[str, Inbox]) -> None:
    """Four weeks of conversations by email on the support mailbox, and the agent's
    working days (presence)."""
    rng = random.Random(18)  # noqa: S311  (the same demo every time, not a secret)
    agents = [people["maryam"]]  # the admin's own list stays the demo's two tickets
    support = [inboxes["email"]]
    today = timezone.now().astimezone(TEHRAN).replace(hour=0, minute=0, second=0, microsecond=0)
    was = Agent.objects.get(user=agents[0]).presence
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        busy = _busy(rng, back, day)
        if day.weekday() != 4:
            _working_day(agents[0], day)
        for _ in range(busy):
            start = day + timedelta(hours=rng.choice([8, 9, 10, 11, 13, 14, 16, 19, 22]))
            start += timedelta(minutes=rng.randrange(60))
            _conversation(rng, rng.choice(support), rng.choice(agents), start)
    do_set_presence(agents[0], was)  # today as the base demo left it
    _delivered()


def _busy(rng: random.Random, back: int, day: datetime) -> int:
    """Conversations that day: one every other day in the older weeks, quiet Fridays."""
    if back > BUSY_DAYS:
        return back % 2
    return 1 if day.weekday() == 4 else rng.choice([2, 2, 3])


def _working_day(agent: Any, day: datetime) -> None:
    """The agent's presence that day, through the real action (its spans feed the
    agents report's time online and away)."""
    for (hour, minute), state in PRESENCE_DAY:
        with _at(day + timedelta(hours=hour, minutes=minute)):
            do_set_presence(agent, state)


def _delivered() -> None:
    """The history's replies and survey mails went out when they were written (recorded
    as sent, so the task worker does not mail them all today)."""
    queued = Message.objects.filter(
        ticket__in=history_tickets(),
        direction=Direction.OUTBOUND,
        delivery_status=DeliveryStatus.QUEUED,
    )
    for pk, at in queued.order_by("pk").values_list("pk", "created_at"):
        with _at(at + timedelta(seconds=5)):
            attempt = do_start_delivery(pk, external_id=f"<history-sent-{pk}@example.com>")
            do_record_delivery(pk, status=DeliveryStatus.SENT, attempt=attempt)
