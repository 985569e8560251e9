"""Calls logged by agents: by hand, or through the pop-up's call form."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from channels_in.phone.calls import (
    call_summary,
    close_callbacks,
    find_contact,
    ingest_call,
    normalize_number,
)
from channels_in.phone.models import (
    Call,
    CallDirection,
    CallOutcome,
    CallSource,
    CallState,
    PhoneLine,
)
from helpdesk.actions.calls import do_add_call_entry
from helpdesk.actions.common import Actor, check_ticket_readable
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.staff.access import is_admin, team_ids

_LABELS: dict[tuple[str, str], str] = {
    (CallDirection.IN, CallOutcome.ANSWERED): "Inbound call",
    (CallDirection.OUT, CallOutcome.ANSWERED): "Outbound call",
}


def check_line(actor: Actor, line_id: int) -> PhoneLine:
    line = PhoneLine.objects.select_related("inbox").filter(pk=line_id).first()
    if line is None or not (is_admin(actor) or line.inbox.team_id in team_ids(actor)):
        raise NotFound(f"phone line {line_id} not found")
    return line


def _text(call: Call) -> str:
    label = _LABELS.get((call.direction, call.outcome), f"Call ({call.outcome})")
    parts = [f"{label}: {call.customer_number}"]
    if call.talk_seconds:
        parts.append(f"{call.talk_seconds // 60}:{call.talk_seconds % 60:02d}")
    text = " · ".join(parts)
    return f"{text}\n\n{call.notes}" if call.notes else text


def log_call(
    actor: Actor,
    *,
    line_id: int,
    number: str,
    direction: str,
    outcome: str,
    notes: str = "",
    ticket_id: int | None = None,
    started_at: datetime | None = None,
    talk_seconds: int = 0,
) -> Call:
    """Log a call by hand; it becomes a timeline entry on `ticket_id` or the caller's ticket."""
    if direction not in CallDirection.values:
        raise Invalid(f"direction must be one of {CallDirection.values}", field="direction")
    if outcome not in CallOutcome.values:
        raise Invalid(f"outcome must be one of {CallOutcome.values}", field="outcome")
    line = check_line(actor, line_id)
    e164 = normalize_number(number, line.default_region)
    if not e164.startswith("+"):
        raise Invalid(f"not a phone number: {number!r}", field="number")
    if ticket_id is not None:
        check_ticket_readable(actor, ticket_id)
    started = started_at or timezone.now()
    answered = started if outcome == CallOutcome.ANSWERED else None
    ended = started + timedelta(seconds=talk_seconds) if answered else started
    with transaction.atomic():
        call = Call.objects.create(
            line=line,
            call_id=f"manual-{uuid.uuid4()}",
            source=CallSource.MANUAL,
            direction=direction,
            customer_number=e164,
            contact=find_contact(e164),
            agent_id=actor.pk,
            state=CallState.ENDED,
            outcome=outcome,
            started_at=started,
            answered_at=answered,
            ended_at=ended,
            notes=notes,
        )
        attach_to_timeline(actor, call, ticket_id)
        if direction == CallDirection.OUT and outcome == CallOutcome.ANSWERED:
            close_callbacks(call)
    return call


def attach_to_timeline(actor: Actor, call: Call, ticket_id: int | None) -> None:
    """Put the call in a ticket's timeline: the given ticket, or the caller's phone ticket."""
    inbound = call.direction == CallDirection.IN
    if ticket_id is not None:
        message = do_add_call_entry(
            actor, ticket_id, text=_text(call), inbound=inbound, call=call_summary(call)
        )
        call.ticket_id = message.ticket_id
        call.save(update_fields=["ticket"])
    else:
        ingest_call(
            call,
            external_id=f"call:{call.call_id}",
            subject=_text(call).split("\n", 1)[0],
            text=_text(call),
            meta={"logged_by": actor.pk},
        )


def complete_call_form(
    actor: Actor,
    call_pk: int,
    *,
    notes: str,
    outcome: str | None = None,
    ticket_id: int | None = None,
    follow_up: bool = False,
) -> Call:
    """The answering agent's form: notes, outcome, and the ticket the call belongs to.

    With `follow_up`, a new ticket is opened for the caller instead.
    """
    call = Call.objects.select_related("line__inbox").filter(pk=call_pk).first()
    if call is None:
        raise NotFound(f"call {call_pk} not found")
    check_line(actor, call.line_id)
    if outcome is not None and outcome not in CallOutcome.values:
        raise Invalid(f"outcome must be one of {CallOutcome.values}", field="outcome")
    with transaction.atomic():
        call = Call.objects.select_for_update().select_related("line__inbox").get(pk=call_pk)
        call.notes = notes
        if outcome:
            call.outcome = outcome
        call.save(update_fields=["notes", "outcome"])
        if follow_up:
            ingest_call(
                call,
                external_id=f"call:{call.call_id}:{uuid.uuid4()}",
                subject=f"Follow-up: {call.customer_number}",
                text=_text(call),
                meta={"follow_up": True},
                new_conversation=True,
                received_at=timezone.now(),
            )
        else:
            attach_to_timeline(actor, call, ticket_id or call.ticket_id)
    return Call.objects.get(pk=call_pk)
