"""Call records: the CTI state machine, the caller card, missed calls as tickets.

Every change to a Call goes through a function here; tickets and messages are
only touched through helpdesk.ingest.receive and helpdesk.actions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from channels_in.phone.events import CallAnswered, CallCard, CallEnded, CallRinging
from channels_in.phone.models import (
    Call,
    CallDirection,
    CallOutcome,
    CallSource,
    CallState,
    PhoneLine,
)
from channels_in.phone.parse import CtiEvent
from helpdesk import events, identities
from helpdesk.identities import InvalidAddress, normalize_phone
from helpdesk.inbound import InboundMessage, Sender, ThreadHints
from helpdesk.ingest import receive
from helpdesk.models import Contact, ContactIdentity, Message, Ticket, TicketStatus

logger = logging.getLogger(__name__)

# Causes of a hangup that never reached an agent.
_MISSED_CAUSES = {"cancel", "noAnswer", "congestion", "notFound", "forwarded", ""}


class CtiError(ValueError):
    """The event cannot be applied (e.g. hangup for a call we never saw)."""


@dataclass(frozen=True, slots=True)
class CtiResult:
    call: Call
    changed: bool
    reject: bool = False


def normalize_number(raw: str, region: str) -> str:
    """E.164 when the number parses; otherwise the digits as given (e.g. 'anonymous')."""
    try:
        return normalize_phone(raw, region)
    except InvalidAddress:
        return raw.strip()


def find_contact(number: str) -> Contact | None:
    """The contact with this phone identity, on any channel (follows merges)."""
    identity = ContactIdentity.objects.select_related("contact").filter(
        kind=identities.PHONE, address=number
    )
    found = identity.first()
    if found is None:
        return None
    return found.contact.resolve()


def _match_agent(users: list[str]) -> Any:
    """The desk user named in a CTI `user` field (username or display name)."""
    names = [u for u in users if u and u.lower() != "voicemail"]
    if not names:
        return None
    query = Q()
    for name in names:
        query |= Q(username__iexact=name) | Q(agent__display_name__iexact=name)
    return get_user_model().objects.filter(query, agent__isnull=False).first()


def caller_card(call: Call) -> dict[str, Any]:
    """The event payload: the call and the caller's card (open tickets, last contacts).

    The line's team receives it, so the card holds only that team's tickets: a
    caller who also writes to another team must not show B's agents A's work.
    """
    contact = call.contact
    team_id = call.line.inbox.team_id
    open_tickets: list[dict[str, Any]] = []
    last_contacts: list[dict[str, Any]] = []
    if contact is not None:
        for t in _open_tickets(contact, team_id)[:5]:
            open_tickets.append({"id": t.pk, "subject": t.subject, "status": t.status})
        recent = (
            Message.objects.filter(
                ticket__contact=contact, ticket__team_id=team_id, direction="inbound"
            )
            .select_related("inbox")
            .order_by("-created_at")[:5]
        )
        for m in recent:
            last_contacts.append(
                {"channel": m.inbox.kind, "ticket_id": m.ticket_id, "at": m.created_at}
            )
    return {
        "call_id": call.pk,
        "line_id": call.line_id,
        "direction": call.direction,
        "number": call.customer_number,
        "state": call.state,
        "outcome": call.outcome,
        "contact_id": contact.pk if contact else None,
        "contact_name": contact.name if contact else "",
        "agent_id": call.agent_id,
        "ticket_id": call.ticket_id,
        "open_tickets": open_tickets,
        "last_contacts": last_contacts,
    }


def _publish(call: Call, schema: type[CallCard]) -> None:
    events.record(
        schema.model_validate(caller_card(call)),
        ticket=None,
        team_id=call.line.inbox.team_id,
        actor_id=None,
        extra_groups=(f"agent.{call.agent_id}",) if call.agent_id else (),
    )


def handle_event(line: PhoneLine, event: CtiEvent, *, at: datetime | None = None) -> CtiResult:
    """Apply one CTI event to its call record; duplicates and late events change nothing."""
    at = at or timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _apply(line, event, at)
        except IntegrityError:
            continue  # the same newCall arrived twice at once; the other one created it
    raise CtiError(f"call {event.call_id} could not be stored")


def _apply(line: PhoneLine, event: CtiEvent, at: datetime) -> CtiResult:
    call = Call.objects.select_for_update().filter(line=line, call_id=event.call_id).first()
    if call is None:
        if event.event == "hangup":
            raise CtiError(f"hangup for unknown callId {event.call_id!r}")
        call = _create(line, event, at)
        if call.outcome == CallOutcome.REJECTED:
            return CtiResult(call=call, changed=True, reject=True)
        _publish(call, CallRinging)
        if event.event == "newCall":
            return CtiResult(call=call, changed=True)
    if event.event == "newCall":
        return CtiResult(call=call, changed=False, reject=call.outcome == CallOutcome.REJECTED)
    if event.event == "answer":
        return CtiResult(call=call, changed=_answer(call, event, at))
    return CtiResult(call=call, changed=_hangup(call, event, at))


def _create(line: PhoneLine, event: CtiEvent, at: datetime) -> Call:
    region = line.default_region
    customer_raw = event.from_ if event.direction == "in" else event.to
    number = normalize_number(customer_raw, region)
    blocked = event.direction == "in" and number in (line.blocked_numbers or [])
    return Call.objects.create(
        line=line,
        call_id=event.call_id,
        source=CallSource.CTI,
        direction=event.direction,
        from_number=normalize_number(event.from_, region),
        to_number=normalize_number(event.to, region),
        customer_number=number,
        contact=find_contact(number),
        agent=_match_agent(event.user) if event.direction == "out" else None,
        users=event.user,
        queue=event.queue,
        state=CallState.ENDED if blocked else CallState.RINGING,
        outcome=CallOutcome.REJECTED if blocked else "",
        cause="blocked" if blocked else "",
        started_at=at,
        ended_at=at if blocked else None,
    )


def _answer(call: Call, event: CtiEvent, at: datetime) -> bool:
    if call.state != CallState.RINGING:
        return False
    call.state = CallState.ANSWERED
    call.answered_at = at
    if any(u.lower() == "voicemail" for u in event.user):
        call.outcome = CallOutcome.VOICEMAIL
    else:
        call.agent = _match_agent(event.user) or call.agent
        call.ticket = _open_ticket_of(call.contact, call.line.inbox.team_id)
    call.save(update_fields=["state", "answered_at", "outcome", "agent", "ticket"])
    _publish(call, CallAnswered)
    return True


def _hangup(call: Call, event: CtiEvent, at: datetime) -> bool:
    if call.state == CallState.ENDED:
        return False
    call.state = CallState.ENDED
    call.ended_at = at
    call.cause = event.cause
    if event.recording_url:
        call.recording_url = event.recording_url
    if not call.outcome:
        call.outcome = _outcome(call, event.cause)
    fields = ["state", "ended_at", "cause", "recording_url", "outcome"]
    if call.direction == CallDirection.IN and call.outcome != CallOutcome.ANSWERED:
        call.needs_callback = True
        fields.append("needs_callback")
    call.save(update_fields=fields)
    if call.direction == CallDirection.OUT and call.outcome == CallOutcome.ANSWERED:
        close_callbacks(call)
    if call.needs_callback:
        _missed_call_ticket(call)
    _publish(call, CallEnded)
    return True


def _outcome(call: Call, cause: str) -> str:
    if call.answered_at is not None:
        return CallOutcome.ANSWERED
    if cause == "busy":
        return CallOutcome.BUSY
    return CallOutcome.MISSED


def _open_tickets(contact: Contact, team_id: int) -> QuerySet[Ticket]:
    """The contact's active tickets that the team may read (access: a ticket's team)."""
    active = contact.tickets.filter(status__in=TicketStatus.active(), team_id=team_id)
    return active.order_by("-id")


def _open_ticket_of(contact: Contact | None, team_id: int) -> Ticket | None:
    if contact is None:
        return None
    return _open_tickets(contact, team_id).first()


def close_callbacks(call: Call) -> int:
    """An answered call to a number settles every missed call waiting for a call back."""
    return (
        Call.objects.filter(
            needs_callback=True,
            customer_number=call.customer_number,
            line__inbox__team_id=call.line.inbox.team_id,
        )
        .exclude(pk=call.pk)
        .update(needs_callback=False, called_back_by=call)
    )


def call_summary(call: Call) -> dict[str, Any]:
    return {
        "call_id": call.pk,
        "number": call.customer_number,
        "direction": call.direction,
        "outcome": call.outcome,
        "wait_seconds": call.wait_seconds,
        "talk_seconds": call.talk_seconds,
        "recording_url": call.recording_url,
        "notes": call.notes,
    }


def ingest_call(
    call: Call,
    *,
    external_id: str,
    subject: str,
    text: str,
    meta: dict[str, Any] | None = None,
    new_conversation: bool = False,
    received_at: datetime | None = None,
) -> Ticket:
    """The call as a message of the phone channel, through the one ingest path.

    It threads into the caller's open phone ticket (or opens one, or a new one
    with `new_conversation`) and links the call to that ticket and its contact.
    """
    name = call.contact.name if call.contact else ""
    result = receive(
        InboundMessage(
            inbox_id=call.line.inbox_id,
            external_id=external_id,
            sender=Sender(kind=identities.PHONE, address=call.customer_number, display_name=name),
            received_at=received_at or call.ended_at or timezone.now(),
            subject=subject,
            text=text,
            thread=ThreadHints(new_conversation=new_conversation),
            meta={"call": call_summary(call), **(meta or {})},
        )
    )
    Call.objects.filter(pk=call.pk).update(ticket=result.ticket, contact=result.ticket.contact)
    call.ticket, call.contact = result.ticket, result.ticket.contact
    return result.ticket


def _missed_call_ticket(call: Call) -> None:
    """A missed inbound call opens a ticket, or lands in the caller's open one."""
    if not call.customer_number.startswith("+"):
        logger.info("missed call %s from an unknown number: no ticket", call.pk)
        return
    label = {"busy": "Missed call (line busy)", "voicemail": "Voicemail"}.get(
        call.outcome, "Missed call"
    )
    ingest_call(
        call,
        external_id=f"call:{call.call_id}",
        subject=f"{label}: {call.customer_number}",
        text=f"{label} from {call.customer_number}. Call back.",
    )
