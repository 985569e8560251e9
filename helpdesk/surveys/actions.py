"""Survey actions: send a prompt, record an answer, resolve without a survey, send one now.

Lock order (docs/architecture.md): the ticket row, then the survey request row,
then the event-sequence lock (events.record, always last).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from helpdesk import channels, events
from helpdesk.actions.common import Actor, check_ticket_readable
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.actions.tickets import do_set_status
from helpdesk.event_schemas import SurveyAnswered
from helpdesk.ingest import message_created
from helpdesk.models import (
    AuthorKind,
    Contact,
    DeliveryStatus,
    Direction,
    Message,
    Ticket,
    TicketStatus,
)
from helpdesk.surveys import prompt
from helpdesk.surveys.models import (
    InboxSurvey,
    RequestStatus,
    SkipReason,
    SurveyKind,
    SurveyRequest,
    SurveyResponse,
)
from helpdesk.surveys.tokens import link_lifetime

MAX_COMMENT = 2000

# Set while an agent resolves "without survey": the resolution hook skips it.
_without_survey = contextvars.ContextVar("surveys_without_survey", default=False)


@contextmanager
def without_survey() -> Iterator[None]:
    """Within this block, resolving a ticket schedules no CSAT survey (the agent's choice)."""
    token = _without_survey.set(True)
    try:
        yield
    finally:
        _without_survey.reset(token)


def survey_suppressed() -> bool:
    """Whether the current resolution was made "without survey"."""
    return _without_survey.get()


def do_resolve_without_survey(actor: Actor, ticket_id: int) -> Ticket:
    """Resolve the ticket and ask no CSAT question about this resolution."""
    with without_survey():
        return do_set_status(actor, ticket_id, TicketStatus.RESOLVED)


def new_csat_request(ticket: Ticket, *, send_after: datetime | None = None) -> SurveyRequest:
    """An unsaved CSAT request about `ticket`, with its inbox's question and scale."""
    config = InboxSurvey.objects.filter(inbox_id=ticket.inbox_id).first() or InboxSurvey()
    language = prompt.language_for(ticket.contact.language)
    custom = config.question_fa if language == "fa" else config.question_en
    return SurveyRequest(
        kind=SurveyKind.CSAT,
        contact_id=ticket.contact_id,
        ticket=ticket,
        inbox_id=ticket.inbox_id,
        team_id=ticket.team_id,
        agent_id=ticket.assignee_id,
        channel=ticket.inbox.kind,
        question=custom or prompt.default_question(SurveyKind.CSAT, language),
        scale=config.scale,
        ask_comment=config.ask_comment,
        language=language,
        send_after=send_after or timezone.now(),
    )


def do_send_survey_now(actor: Actor, ticket_id: int) -> SurveyRequest:
    """An agent's "send survey now": a CSAT prompt on the ticket at once, whatever the
    inbox's schedule and skip rules say (the agent decided)."""
    ticket = check_ticket_readable(actor, ticket_id)
    ticket = Ticket.objects.select_related("inbox", "contact").get(pk=ticket.pk)
    request = new_csat_request(ticket)
    request.save()
    sent = do_send_request(request.pk, manual=True)
    if sent is None:
        raise Invalid("the survey could not be sent")
    return sent


def do_send_request(request_id: int, *, manual: bool = False) -> SurveyRequest | None:
    """Send a scheduled request's prompt as a system message on its ticket (or skip it).

    Returns the request when a prompt was queued, None when it was skipped or was
    not scheduled any more (a second worker, a replay).
    """
    from helpdesk.surveys.csat import skip_reason

    ticket_id = SurveyRequest.objects.filter(pk=request_id).values_list("ticket_id", flat=True)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("inbox", "contact")
            .filter(pk__in=ticket_id)
            .first()
        )
        request = SurveyRequest.objects.select_for_update().filter(pk=request_id).first()
        if ticket is None or request is None or request.status != RequestStatus.SCHEDULED:
            return None
        reason = "" if manual else skip_reason(request, ticket)
        if reason:
            request.status = RequestStatus.SKIPPED
            request.skip_reason = reason
            request.save(update_fields=["status", "skip_reason"])
            return None
        style = _prompt_style(ticket.inbox.kind)
        native = style == channels.SurveyPrompt.NATIVE
        text, html, meta = prompt.build(request, native=native)
        message = Message.objects.create(
            ticket=ticket,
            inbox_id=ticket.inbox_id,
            direction=Direction.OUTBOUND,
            author_kind=AuthorKind.SYSTEM,
            text=text,
            html=html,
            channel_meta={"automatic": True, "reason": "survey", "survey": meta},
            delivery_status=DeliveryStatus.QUEUED,
            created_at=timezone.now(),
        )
        request.status = RequestStatus.SENT
        request.sent_at = message.created_at
        request.message = message
        request.save(update_fields=["status", "sent_at", "message"])
        event = message_created(message, ticket.inbox.kind)
        events.record(event, ticket=ticket, actor_id=None)
        transaction.on_commit(partial(_deliver, message.pk, style))
        return request


def _prompt_style(kind: str) -> channels.SurveyPrompt:
    try:
        return channels.spec_for(kind).survey_prompt
    except LookupError:
        return channels.SurveyPrompt.LINK


def _deliver(message_id: int, style: channels.SurveyPrompt) -> None:
    from helpdesk.surveys.delivery import relay_prompt
    from helpdesk.tasks import deliver_message

    if style == channels.SurveyPrompt.RELAY:
        relay_prompt.enqueue(message_id)
    else:
        deliver_message.enqueue(message_id)


def answerable(request: SurveyRequest) -> bool:
    """Sent (or answered) and still within the link's lifetime."""
    if request.status not in (RequestStatus.SENT, RequestStatus.ANSWERED):
        return False
    sent = request.sent_at
    return sent is not None and timezone.now() <= sent + link_lifetime()


def do_answer(
    request_id: int, score: int, *, comment: str | None = None, via: str = "page"
) -> SurveyResponse:
    """Record the customer's answer: one row per request, changed by a later answer.

    `comment=None` keeps a comment given before (a one-click rating from email).
    A replay of the same answer changes nothing and records no event.
    """
    if comment is not None and len(comment) > MAX_COMMENT:
        raise Invalid(f"the comment is longer than {MAX_COMMENT} characters", field="comment")
    found = SurveyRequest.objects.filter(pk=request_id).values("ticket_id", "contact_id").first()
    if found is None:
        raise NotFound("this survey is not open")
    with transaction.atomic():
        # The answer row refers to the contact: its row first, as ingest locks it
        # (docs/architecture.md, lock order), then the ticket, then the request.
        Contact.objects.select_for_update().filter(pk=found["contact_id"]).first()
        ticket = Ticket.objects.select_for_update().filter(pk=found["ticket_id"]).first()
        request = SurveyRequest.objects.select_for_update().filter(pk=request_id).first()
        if ticket is None or request is None or not answerable(request):
            raise NotFound("this survey is not open")
        if not request.min_score <= score <= request.max_score:
            raise Invalid(
                f"the score must be {request.min_score} to {request.max_score}", field="score"
            )
        now = timezone.now()
        response = SurveyResponse.objects.filter(request=request).first()
        changed = response is not None
        if response is None:
            response = SurveyResponse(
                request=request,
                kind=request.kind,
                contact_id=request.contact_id,
                ticket_id=request.ticket_id,
                inbox_id=request.inbox_id,
                team_id=request.team_id,
                agent_id=request.agent_id,
                channel=request.channel,
                answered_at=now,
                score=score,
            )
        elif response.score == score and (comment is None or comment == response.comment):
            return response  # a double click or a replay: nothing new
        response.score = score
        if comment is not None:
            response.comment = comment.strip()
        response.answered_via = via
        response.updated_at = now
        response.save()
        if request.status != RequestStatus.ANSWERED:
            request.status = RequestStatus.ANSWERED
            request.save(update_fields=["status"])
        answered = SurveyAnswered(
            ticket_id=ticket.pk,
            request_id=request.pk,
            response_id=response.pk,
            kind=request.kind,
            score=score,
            comment=response.comment,
            contact_id=request.contact_id,
            agent_id=request.agent_id,
            inbox_id=request.inbox_id,
            channel=request.channel,
            answered_at=response.answered_at,
            changed=changed,
        )
        events.record(answered, ticket=ticket, actor_id=None)
    return response


def recently_surveyed(contact_id: int, kind: str, days: int, *, exclude: int | None) -> bool:
    """The contact was sent a survey of `kind` within the last `days` days."""
    if days <= 0:
        return False
    since = timezone.now() - timedelta(days=days)
    sent = SurveyRequest.objects.filter(
        contact_id=contact_id,
        kind=kind,
        status__in=[RequestStatus.SENT, RequestStatus.ANSWERED],
        sent_at__gte=since,
    )
    if exclude is not None:
        sent = sent.exclude(pk=exclude)
    return sent.exists()


def skip(request: SurveyRequest, reason: SkipReason) -> None:
    """Mark an unsent request skipped (its row stays, so reports can count skips)."""
    request.status = RequestStatus.SKIPPED
    request.skip_reason = reason
