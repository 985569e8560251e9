"""Model -> response dict conversions; they read only what the querysets preload."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.urls import reverse
from ninja.responses import NinjaJSONEncoder

from helpdesk.models import Agent, Attachment, AuthorKind, Contact, Message, Ticket
from helpdesk.sla.api import SLA_ROW_FIELDS, sla_of_row, sla_values

# What a ticket row needs, fetched in the same query as the ticket.
TICKET_RELATED = ("inbox", "team", "assignee__agent", "contact")


def agent_name(user: Any) -> str:
    try:
        agent: Agent = user.agent
    except Agent.DoesNotExist:
        return str(user.get_username())
    return agent.display_name or str(user.get_username())


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    """A ticket with TICKET_RELATED loaded, in the shape of ticket_row_out."""
    assignee = ticket.assignee
    try:
        display_name = assignee.agent.display_name if assignee else None
    except Agent.DoesNotExist:
        display_name = None
    return ticket_row_out(
        {
            "id": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "tags": ticket.tags,
            "inbox_id": ticket.inbox_id,
            "inbox__kind": ticket.inbox.kind,
            "inbox__name": ticket.inbox.name,
            "team_id": ticket.team_id,
            "team__name": ticket.team.name if ticket.team else None,
            "assignee_id": ticket.assignee_id,
            "assignee__username": assignee.get_username() if assignee else None,
            "assignee__agent__display_name": display_name,
            "contact_id": ticket.contact_id,
            "contact__name": ticket.contact.name,
            "snoozed_until": ticket.snoozed_until,
            "merged_into_id": ticket.merged_into_id,
            "last_message_at": ticket.last_message_at,
            "created_at": ticket.created_at,
            "updated_at": ticket.updated_at,
            "version": ticket.version,
            **{f"sla__{k}": v for k, v in sla_values(ticket).items()},
        }
    )


# A ticket row as lists read it with .values(): a list page builds no model
# instances (six per ticket with its relations), only these dicts.
TICKET_ROW_FIELDS = (
    "id",
    "subject",
    "status",
    "priority",
    "tags",
    "inbox_id",
    "inbox__kind",
    "inbox__name",
    "team_id",
    "team__name",
    "assignee_id",
    "assignee__username",
    "assignee__agent__display_name",
    "contact_id",
    "contact__name",
    "snoozed_until",
    "merged_into_id",
    "last_message_at",
    "created_at",
    "updated_at",
    "version",
    *SLA_ROW_FIELDS,
)


def ticket_row_out(row: dict[str, Any]) -> dict[str, Any]:
    """The API's ticket (TicketOut) from a row of TICKET_ROW_FIELDS."""
    assignee_id = row["assignee_id"]
    team_id = row["team_id"]
    return {
        "id": row["id"],
        "number": row["id"],
        "subject": row["subject"],
        "status": row["status"],
        "priority": row["priority"],
        "tags": list(row["tags"] or []),
        "channel": row["inbox__kind"],
        "inbox": {"id": row["inbox_id"], "name": row["inbox__name"]},
        "team": {"id": team_id, "name": row["team__name"]} if team_id is not None else None,
        "assignee": (
            {
                "id": assignee_id,
                "name": row["assignee__agent__display_name"] or str(row["assignee__username"]),
            }
            if assignee_id is not None
            else None
        ),
        "contact": {"id": row["contact_id"], "name": row["contact__name"]},
        "snoozed_until": row["snoozed_until"],
        "merged_into": row["merged_into_id"],
        "last_message_at": row["last_message_at"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "version": row["version"],
        "sla": sla_of_row(row),
    }


def ticket_rows(ids: list[int]) -> list[dict[str, Any]]:
    """ticket_out of the tickets `ids`, in that order, from one query by primary key.

    A list finds its page first (ids only, no joins), then reads the rows: the
    joins of a row planned together with a search's id set and the list filters
    cost PostgreSQL more to plan (2.5 ms) than both queries take.
    """
    if not ids:
        return []
    found = {
        row["id"]: row
        for row in Ticket.objects.filter(pk__in=ids).order_by().values(*TICKET_ROW_FIELDS)
    }
    return [ticket_row_out(found[pk]) for pk in ids if pk in found]


def prebuilt(data: Any) -> HttpResponse:
    """`data` rendered as django-ninja renders a response, without validating it again.

    For list pages built here from database rows in the shape of their response
    schema: ninja would otherwise re-validate every item through pydantic, which
    cost about a third of a 100-ticket page. The schema still documents the
    endpoint, and the builders (ticket_row_out) keep to its fields.
    """
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder), content_type="application/json; charset=utf-8"
    )


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
        "refused_attachments": refused_out(message),
        "channel_meta": message.channel_meta or {},
        "created_at": message.created_at,
        "sent_at": message.sent_at,
    }


def refused_out(message: Message) -> list[dict[str, Any]]:
    """`channel_meta["refused_attachments"]` in a fixed shape (old rows may lack fields)."""
    meta = message.channel_meta if isinstance(message.channel_meta, dict) else {}
    items = meta.get("refused_attachments")
    return [
        {
            "name": str(item.get("name") or ""),
            "size": item["size"] if type(item.get("size")) is int else None,
            "reason": str(item.get("reason") or ""),
        }
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    ]


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
        "company_id": contact.company_id,
        "tags": list(contact.tags or []),
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
