"""Conversations of widget visitors: opening them, taking their messages, their history.

Synchronous and database-bound; the consumer and the views call these (the
consumer through `database_sync_to_async`). Inbound messages only ever enter
the desk through `helpdesk.ingest.receive`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from channels_in.webchat import limits, prechat
from channels_in.webchat import visitor as tokens
from channels_in.webchat.channel import IDENTITY, KIND
from channels_in.webchat.models import WebchatConfig, WebchatConversation
from channels_in.webchat.parse import Hello, Prechat
from channels_in.webchat.visitor import VisitorToken
from helpdesk import identities
from helpdesk.actions.contacts import do_add_identity
from helpdesk.inbound import InboundAttachment, InboundMessage, Sender
from helpdesk.ingest import receive
from helpdesk.models import (
    Agent,
    Contact,
    ContactIdentity,
    DeliveryStatus,
    Direction,
    Message,
    Presence,
    Role,
)

HISTORY_LIMIT = 50


class Refused(Exception):
    """The visitor may not open this conversation; `code` goes into the error frame."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Received:
    frame: dict[str, Any]
    created: bool
    ticket_id: int
    team_id: int | None
    contact_id: int


def get_config(public_key: str) -> WebchatConfig | None:
    """The enabled live-chat inbox with this public key."""
    return (
        WebchatConfig.objects.select_related("inbox")
        .filter(public_key=public_key, inbox__enabled=True, inbox__kind=KIND)
        .first()
    )


def open_conversation(
    config: WebchatConfig, hello: Hello
) -> tuple[VisitorToken, WebchatConversation | None]:
    """Who the hello frame's visitor is: their token and conversation (None until they write).

    A verified site user always gets their own conversation. A token of a verified
    conversation presented without a valid signature starts a new anonymous
    conversation: a shared browser after the site's logout must not reopen it.
    """
    if hello.user_id is not None or hello.user_hash is not None:
        if not tokens.verify_user(config, hello.user_id or "", hello.user_hash or ""):
            raise Refused("identity_refused", "identity verification failed")
        verified = _verified_conversation(config, hello.user_id or "")
        return VisitorToken(verified.key, config.inbox_id, verified=True), verified
    if hello.token is None:
        return tokens.new_token(config), None
    presented = tokens.read_token(hello.token, config)
    if presented is None:
        raise Refused("bad_token", "this visitor token is not valid for this chat")
    if presented.verified:
        return tokens.new_token(config), None
    return presented, WebchatConversation.objects.filter(config=config, key=presented.key).first()


def _verified_conversation(config: WebchatConfig, user_id: str) -> WebchatConversation:
    found = WebchatConversation.objects.filter(config=config, verified_user_id=user_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return WebchatConversation.objects.create(
                config=config,
                verified_user_id=user_id,
                visitor_id=f"{config.inbox_id}:user:{user_id}",
            )
    except IntegrityError:  # the same user's other tab won the race
        return WebchatConversation.objects.get(config=config, verified_user_id=user_id)


def ensure_conversation(
    config: WebchatConfig, token: VisitorToken, language: str = "", client_ip: str | None = None
) -> WebchatConversation:
    """The token's conversation row, created when the visitor first writes or fills the form.

    Creating one counts against the flood limits (limits.Limited past them).
    """
    conversation = WebchatConversation.objects.filter(key=token.key).first()
    if conversation is None:
        limits.check_new_conversation(config.inbox_id, client_ip)
    conversation, _created = WebchatConversation.objects.get_or_create(
        key=token.key,
        defaults={"config": config, "visitor_id": token.key, "language": language},
    )
    if conversation.config_id != config.pk:  # impossible with a valid token; refuse anyway
        raise Refused("bad_token", "this visitor token is not valid for this chat")
    return conversation


def contact_of(conversation: WebchatConversation) -> Contact | None:
    """The contact behind the conversation (identities follow contact merges)."""
    identity = (
        ContactIdentity.objects.select_related("contact")
        .filter(kind=IDENTITY, address=conversation.visitor_id)
        .first()
    )
    return identity.contact if identity else None


def visitor_name(key: str, name: str = "") -> str:
    """The name agents see: the pre-chat name, or "Visitor" and the key's first letters."""
    return name or _("Visitor %(code)s") % {"code": key[:6]}


def save_prechat(
    config: WebchatConfig,
    token: VisitorToken,
    form: Prechat,
    language: str = "",
    client_ip: str | None = None,
) -> WebchatConversation:
    """Keep the pre-chat answers: the name and email on the conversation (the email
    becomes a contact identity), the phone and attributes for the contact
    (channels_in.webchat.prechat). Raises prechat.PrechatInvalid before storing anything."""
    answers = prechat.clean_answers(config, form, language)
    conversation = ensure_conversation(config, token, language, client_ip)
    fields = ["prechat_at", "prechat_pending"]
    if answers.name:
        conversation.name = answers.name
        fields.append("name")
    if answers.email and answers.email != conversation.email:
        conversation.email = answers.email
        conversation.email_linked = False
        fields += ["email", "email_linked"]
    conversation.prechat_at = timezone.now()
    prechat.keep_pending(conversation, answers)
    conversation.save(update_fields=fields)
    contact = contact_of(conversation)
    if contact is not None:
        link_email(conversation, contact.pk)
        prechat.apply_pending(conversation, contact.pk)
    return conversation


def link_email(conversation: WebchatConversation, contact_id: int) -> None:
    """Add the pre-chat email to the contact, unless another contact already has it."""
    if not conversation.email or conversation.email_linked:
        return
    identity = do_add_identity(
        None, contact_id, identities.EMAIL, conversation.email, display_name=conversation.name
    )
    if identity is not None:
        conversation.email_linked = True
        conversation.save(update_fields=["email_linked"])


def receive_from_visitor(
    config: WebchatConfig,
    token: VisitorToken,
    *,
    client_id: str,
    text: str,
    language: str = "",
    files: tuple[InboundAttachment, ...] = (),
    client_ip: str | None = None,
) -> Received:
    """Hand a visitor's message to the desk, once per client id (a resend is a no-op).

    The first message of a new visitor opens their conversation, within the flood
    limits (limits.Limited past them).
    """
    conversation = ensure_conversation(config, token, language, client_ip)
    inbound = InboundMessage(
        inbox_id=config.inbox_id,
        # Scoped by conversation: another visitor reusing the id cannot hit this message.
        external_id=f"webchat:{conversation.key}:{client_id}",
        sender=Sender(
            kind=IDENTITY,
            address=conversation.visitor_id,
            display_name=visitor_name(conversation.key, conversation.name),
        ),
        received_at=timezone.now(),
        text=text,
        attachments=files,
        language=conversation.language or language,
        meta={"client_id": client_id, "conversation": conversation.key},
    )
    result = receive(inbound)
    contact_id = int(result.message.author_contact_id or result.ticket.contact_id)
    link_email(conversation, contact_id)
    prechat.apply_pending(conversation, contact_id)
    return Received(
        frame=message_frame(result.message),
        created=result.created,
        ticket_id=result.ticket.pk,
        team_id=result.ticket.team_id,
        contact_id=contact_id,
    )


def _agent_name(message: Message) -> str:
    user = message.author_agent
    if user is None:
        return ""
    agent = getattr(user, "agent", None)
    return (agent.display_name if agent else "") or user.get_short_name() or user.get_username()


def attachment_frames(message: Message) -> list[dict[str, Any]]:
    return [
        {
            "name": a.name,
            "size": a.size,
            "content_type": a.content_type,
            "image": a.shows_inline,
            "url": reverse("webchat:file", args=[tokens.file_token(a.pk)]),
        }
        for a in message.attachments.all()
    ]


def message_frame(message: Message, *, delivered: bool = False) -> dict[str, Any]:
    """One message as the widget shows it (text only: the widget never renders HTML)."""
    inbound = message.direction == Direction.INBOUND
    return {
        "id": message.pk,
        "client_id": message.channel_meta.get("client_id") if inbound else None,
        "from": "visitor" if inbound else "agent",
        "author": "" if inbound else _agent_name(message),
        "text": message.text,
        "attachments": attachment_frames(message),
        "created_at": message.created_at.isoformat(),
        "status": "delivered" if delivered or not inbound else "sent",
        "survey": None if inbound else survey_frame(message),
    }


def survey_frame(message: Message) -> dict[str, Any] | None:
    from channels_in.webchat.survey import survey_frame as frame

    return frame(message)


def history(
    config: WebchatConfig, conversation: WebchatConversation | None
) -> list[dict[str, Any]]:
    """The visitor's recent messages in this inbox; internal notes never appear."""
    contact = contact_of(conversation) if conversation else None
    if contact is None:
        return []
    visible = Q(direction=Direction.INBOUND) | Q(
        direction=Direction.OUTBOUND,
        delivery_status__in=[
            DeliveryStatus.QUEUED,
            DeliveryStatus.SENDING,
            DeliveryStatus.SENT,
            DeliveryStatus.UNCERTAIN,
        ],
    )
    latest = list(
        Message.objects.filter(visible, inbox_id=config.inbox_id, ticket__contact=contact)
        .select_related("author_agent__agent")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    latest.reverse()
    last_agent = max(
        (m.created_at for m in latest if m.direction == Direction.OUTBOUND), default=None
    )
    return [
        message_frame(m, delivered=last_agent is not None and m.created_at <= last_agent)
        for m in latest
    ]


def current_ticket(conversation: WebchatConversation | None) -> tuple[int, int | None, int] | None:
    """(ticket id, team id, contact id) of the conversation's latest ticket, for typing."""
    contact = contact_of(conversation) if conversation else None
    if contact is None or conversation is None:
        return None
    ticket = (
        contact.tickets.filter(inbox_id=conversation.config.inbox_id)
        .order_by("-id")
        .values_list("id", "team_id")
        .first()
    )
    return (ticket[0], ticket[1], contact.pk) if ticket else None


def agents_online(config: WebchatConfig) -> bool:
    """Is any agent of the inbox's team (or any admin) online right now?"""
    return Agent.objects.filter(
        Q(teams=config.inbox.team_id) | Q(role=Role.ADMIN), presence=Presence.ONLINE
    ).exists()
