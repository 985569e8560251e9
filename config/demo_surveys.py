"""The demo's surveys (issue 17): CSAT on the chat, mail and Telegram inboxes, answered
CSAT surveys on the demo's tickets and an NPS campaign that has run, with answers.

Runs inside seed_demo's transaction after the tickets exist; every prompt and
answer goes through the survey actions, so the timeline shows them as real ones.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from helpdesk.models import Inbox, Ticket
from helpdesk.surveys import nps
from helpdesk.surveys.actions import do_answer, do_send_request, new_csat_request
from helpdesk.surveys.models import InboxSurvey, NpsCampaign, Scale, Target

# (ticket index, score, comment) for CSAT answers
CSAT_ANSWERS = [
    (0, 5, "Fixed in five minutes, thank you!"),
    (1, 4, "ممنون، مشکل پرداخت حل شد."),
    (2, 2, "It took three days to get an answer."),
    (3, 5, ""),
    (5, 1, "هنوز سفارشم نرسیده."),
    (6, 4, ""),
]
NPS_SCORES = [10, 9, 9, 8, 7, 6, 3, 10]
NPS_WHY = {3: "Too many emails about offers.", 10: "بهترین پشتیبانی که دیده‌ام!"}


def seed_surveys(inboxes: dict[str, Inbox], tickets: list[Ticket]) -> None:
    """CSAT settings per inbox, answered CSAT and NPS surveys, an upcoming campaign."""
    for kind, scale in (
        ("email", Scale.EMOJI),
        ("webchat", Scale.EMOJI),
        ("telegram", Scale.STARS),
    ):
        if kind in inboxes:
            InboxSurvey.objects.get_or_create(
                inbox=inboxes[kind],
                defaults={"enabled": True, "scale": scale, "skip_tags": ["spam"]},
            )
    for index, score, comment in CSAT_ANSWERS:
        if index < len(tickets):
            _csat(tickets[index], score, comment)
    _nps(tickets)


def _csat(ticket: Ticket, score: int, comment: str) -> None:
    ticket = Ticket.objects.select_related("inbox", "contact").get(pk=ticket.pk)
    request = new_csat_request(ticket)
    request.save()
    if do_send_request(request.pk, manual=True) is not None:
        do_answer(request.pk, score, comment=comment, via="page")


def _nps(tickets: list[Ticket]) -> None:
    now = timezone.now()
    ran = NpsCampaign.objects.create(
        name="Autumn NPS · نظرسنجی پاییز",
        target=Target.ALL,
        channel_order=["email", "telegram", "webchat"],
        starts_at=now - timedelta(days=2),
        last_run_at=now - timedelta(days=2),
    )
    NpsCampaign.objects.create(
        name="Loyal customers · مشتریان وفادار",
        target=Target.RESOLVED,
        min_resolved=2,
        starts_at=now + timedelta(days=30),
    )
    asked: set[int] = set()
    answers: list[Any] = list(NPS_SCORES)
    for ticket in tickets:
        if ticket.contact_id in asked or not answers:
            continue
        asked.add(ticket.contact_id)
        carrier = nps.carrier_ticket(ticket.contact_id, list(ran.channel_order))
        if carrier is None:
            continue
        request = nps.make_request(ran, carrier, now)
        if do_send_request(request.pk) is None:
            continue
        score = answers.pop(0)
        do_answer(request.pk, score, comment=NPS_WHY.get(score, ""), via="page")
