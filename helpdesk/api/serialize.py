"""Model -> response dict conversions; they read only what the querysets preload."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from agents.models import Agent
from helpdesk.models import Attachment, AuthorKind, Contact, Message, Ticket

# What a ticket row needs, fetched in the same query as the ticket.
TICKET_RELATED = ("inbox", "team", "assignee__agent", "contact")


def agent_name(user: Any) -> str:
    try:
        agent: Agent = user.agent
    except Agent.DoesNotExist:
        return str(user.get_username())
    return agent.display_name or str(user.get_username())


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    assignee = ticket.assignee
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "tags": list(ticket.tags or []),
        "channel": ticket.inbox.kind,
        "inbox": {"id": ticket.inbox_id, "name": ticket.inbox.name},
        "team": {"id": ticket.team_id, "name": ticket.team.name} if ticket.team else None,
        "assignee": {"id": assignee.pk, "name": agent_name(assignee)} if assignee else None,
        "contact": {"id": ticket.contact_id, "name": ticket.contact.name},
        "snoozed_until": ticket.snoozed_until,
        "merged_into": ticket.merged_into_id,
        "last_message_at": ticket.last_message_at,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "version": ticket.version,
    }


def messages_of(ticket: Ticket) -> QuerySet[Message]:
    return (
        Message.objects.filter(ticket=ticket)
        .select_related("author_agent__agent", "author_contact")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def _author(message: Message) -> dict[str, Any]:
    if message.author_kind == AuthorKind.AGENT and message.author_agent is not None:
        return {
            "kind": "agent",
            "id": message.author_agent_id,
            "name": agent_name(message.author_agent),
        }
    if message.author_kind == AuthorKind.CONTACT and message.author_contact is not None:
        contact = message.author_contact
        return {"kind": "contact", "id": contact.pk, "name": contact.name}
    return {"kind": message.author_kind or AuthorKind.SYSTEM, "id": None, "name": ""}


def message_out(message: Message) -> dict[str, Any]:
    return {
        "id": message.pk,
        "ticket_id": message.ticket_id,
        "direction": message.direction,
        "author": _author(message),
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "delivery_status": message.delivery_status,
        "delivery_error": message.delivery_error,
        "delivery_attempts": message.delivery_attempts,
        "attachments": [
            {
                "id": a.pk,
                "name": a.name,
                "size": a.size,
                "content_type": a.content_type,
                "url": reverse("api-v1:attachment_file", kwargs={"attachment_id": a.pk}),
            }
            for a in message.attachments.all()
        ],
        "channel_meta": message.channel_meta or {},
        "created_at": message.created_at,
        "sent_at": message.sent_at,
    }


def ticket_detail_out(ticket: Ticket) -> dict[str, Any]:
    return {
        **ticket_out(ticket),
        "follows_up": ticket.follows_up_id,
        "first_response_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "last_customer_message_at": ticket.last_customer_message_at,
        "last_agent_message_at": ticket.last_agent_message_at,
        "messages": [message_out(m) for m in messages_of(ticket)],
    }


def contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "language": contact.language,
        "preferred_channel": contact.preferred_channel,
        "identities": [
            {
                "kind": i.kind,
                "address": i.address,
                "display_name": i.display_name,
                "unreachable_reason": i.unreachable_reason,
            }
            for i in sorted(contact.identities.all(), key=lambda i: i.pk)
        ],
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }
