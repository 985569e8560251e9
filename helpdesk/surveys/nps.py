"""NPS campaigns: who is asked, on which channel, and at most once per contact per N days.

A campaign runs once, when its time comes (the scheduler). Each targeted contact
is asked on the first channel of the campaign's preference order on which they
have a ticket (the prompt is a system message on their latest such ticket, so
it travels like any reply, natively where the channel can); contacts asked an
NPS question within the campaign's cool-down (90 days by default) are left out.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from helpdesk import channels
from helpdesk.models import Contact, Ticket, TicketStatus
from helpdesk.surveys import prompt
from helpdesk.surveys.models import (
    NpsCampaign,
    RequestStatus,
    SurveyKind,
    SurveyRequest,
    Target,
)
from helpdesk.tag_lookup import tag_q

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True, slots=True)
class CampaignRun:
    targeted: int
    asked: int
    recently_asked: int
    unreachable: int


def targets(campaign: NpsCampaign) -> QuerySet[Contact]:
    """Every contact the campaign's target names (merged contacts excluded)."""
    contacts = Contact.objects.filter(merged_into__isnull=True)
    if campaign.target == Target.TAG:
        tag = campaign.tag.strip().lower()
        return contacts.filter(tag_q("tags", tag))
    if campaign.target == Target.RESOLVED:
        done = Q(tickets__status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
        return contacts.annotate(resolved=Count("tickets", filter=done)).filter(
            resolved__gte=max(campaign.min_resolved, 1)
        )
    if campaign.target == Target.SEGMENT:
        if campaign.segment is None:
            return contacts.none()
        from helpdesk.crm.segments import members

        return members(campaign.segment, contacts)
    return contacts


def recently_asked(contact_ids: list[int], days: int, now: datetime) -> set[int]:
    """Those of the contacts sent (or about to be sent) an NPS question in the last `days`."""
    if days <= 0:
        return set()
    rows = SurveyRequest.objects.filter(
        contact_id__in=contact_ids,
        kind=SurveyKind.NPS,
        created_at__gte=now - timedelta(days=days),
    ).exclude(status=RequestStatus.SKIPPED)
    return set(rows.values_list("contact_id", flat=True))


def carrier_ticket(contact_id: int, order: list[str]) -> Ticket | None:
    """The contact's latest ticket on the first channel of `order` they have one on
    (any written channel when the order is empty)."""
    tickets = Ticket.objects.filter(
        contact_id=contact_id, merged_into__isnull=True, inbox__enabled=True
    ).select_related("inbox", "contact")
    written = [s.kind for s in channels.specs() if not s.voice]
    for kind in order or written:
        found = tickets.filter(inbox__kind=kind).order_by("-created_at", "-id").first()
        if found is not None:
            return found
    return None


def make_request(campaign: NpsCampaign, ticket: Ticket, now: datetime) -> SurveyRequest:
    """A scheduled NPS request of the campaign, carried by `ticket`."""
    language = prompt.language_for(ticket.contact.language)
    custom = campaign.question_fa if language == "fa" else campaign.question_en
    return SurveyRequest.objects.create(
        kind=SurveyKind.NPS,
        campaign=campaign,
        contact_id=ticket.contact_id,
        ticket=ticket,
        inbox_id=ticket.inbox_id,
        team_id=ticket.team_id,
        agent_id=None,
        channel=ticket.inbox.kind,
        question=custom or prompt.default_question(SurveyKind.NPS, language),
        ask_comment=True,
        language=language,
        send_after=now,
    )


def run_campaign(campaign: NpsCampaign, now: datetime | None = None) -> CampaignRun:
    """Create the campaign's requests and queue their sending; returns what it did."""
    from helpdesk.surveys.delivery import send_survey

    now = now or timezone.now()
    order = [str(k) for k in campaign.channel_order or []]
    ids = list(targets(campaign).order_by("id").values_list("id", flat=True))
    asked = recent = unreachable = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        skip = recently_asked(chunk, campaign.cooldown_days, now)
        for contact_id in chunk:
            if contact_id in skip:
                recent += 1
                continue
            ticket = carrier_ticket(contact_id, order)
            if ticket is None:
                unreachable += 1
                continue
            with transaction.atomic():
                request = make_request(campaign, ticket, now)
                transaction.on_commit(partial(send_survey.enqueue, request.pk))
            asked += 1
    return CampaignRun(
        targeted=len(ids), asked=asked, recently_asked=recent, unreachable=unreachable
    )


def run_due_campaigns(now: datetime | None = None) -> int:
    """Run every enabled campaign whose time has come and that has not run (scheduler)."""
    now = now or timezone.now()
    ran = 0
    due = NpsCampaign.objects.filter(enabled=True, starts_at__lte=now, last_run_at__isnull=True)
    for campaign_id in list(due.values_list("id", flat=True)):
        with transaction.atomic():
            # One runner per campaign: the row lock and the last_run_at mark.
            campaign = (
                NpsCampaign.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk=campaign_id, last_run_at__isnull=True)
                .select_related("segment")
                .first()
            )
            if campaign is None:
                continue
            campaign.last_run_at = now
            campaign.save(update_fields=["last_run_at"])
        result = run_campaign(campaign, now)
        logger.info("NPS campaign %s: %s", campaign.pk, result)
        ran += 1
    return ran
