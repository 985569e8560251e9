"""`POST /api/v1/tickets`: start an outbound conversation (a new ticket to a contact).

With an `Idempotency-Key` (helpdesk.api.idempotency) the same key returns the
same ticket, never a second one, also when retries race each other.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import ConfigDict, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from helpdesk.actions.outbound import NewContact, do_start_conversation
from helpdesk.api import tickets
from helpdesk.api.bodies import MAX_ATTACHMENTS, AttachmentIn, WriteBody
from helpdesk.api.schemas import TicketOut
from helpdesk.api.serialize import TICKET_RELATED, ticket_out
from helpdesk.api.types import Id, PathId, Text
from helpdesk.models import Ticket

router = Router(tags=["ticket actions"])


class OutboundContactIn(WriteBody):
    """A contact named by its addresses: the one owning any of them, else a new contact."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: Annotated[Text, Field(max_length=200)] = ""
    email: Annotated[Text, Field(max_length=320)] = ""
    phone: Annotated[Text, Field(max_length=64)] = ""
    telegram: Annotated[Text, Field(max_length=64)] = ""

    def new_contact(self) -> NewContact:
        found = {"email": self.email, "phone": self.phone, "telegram": self.telegram}
        return NewContact(name=self.name, identities={k: v for k, v in found.items() if v})


class TicketCreateIn(WriteBody):
    """Exactly one of contact_id / contact; a channel or an inbox_id (or both)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [{"required": ["contact_id"]}, {"required": ["contact"]}],
            "anyOf": [{"required": ["channel"]}, {"required": ["inbox_id"]}],
        },
    )

    # Absent, not null: the schema (and the check below) refuse an explicit null.
    contact_id: Id | SkipJsonSchema[None] = None
    contact: OutboundContactIn | SkipJsonSchema[None] = None
    channel: Annotated[Text, Field(min_length=1, max_length=16)] | SkipJsonSchema[None] = None
    inbox_id: Id | SkipJsonSchema[None] = None
    subject: Annotated[Text, Field(max_length=300)] = ""
    text: Annotated[Text, Field(min_length=1, max_length=100_000)]
    html: Annotated[Text, Field(max_length=400_000)] = ""
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)

    @model_validator(mode="after")
    def _one_contact(self) -> TicketCreateIn:
        for name in ("contact_id", "contact", "channel", "inbox_id"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} may be absent, not null")
        if (self.contact_id is None) == (self.contact is None):
            raise ValueError("send either contact_id or contact")
        if self.channel is None and self.inbox_id is None:
            raise ValueError("send a channel or an inbox_id")
        return self


# On the tickets router: one path, GET (list) and POST (create), is one URL pattern.
@tickets.router.post("/tickets", response={201: TicketOut}, summary="Start a conversation")
def create_ticket(request: HttpRequest, payload: TicketCreateIn) -> Any:
    """Open a ticket to a contact on a channel (email; Telegram when the contact has a
    chat with the inbox's bot) and queue its first message. Honour `Idempotency-Key`."""
    from helpdesk.actions.messages import OutgoingFile

    ticket = do_start_conversation(
        request.user,
        text=payload.text,
        subject=payload.subject,
        html=payload.html,
        files=tuple(
            OutgoingFile(name=a.name, content_type=a.content_type, data=a.data)
            for a in payload.attachments
        ),
        inbox_id=payload.inbox_id,
        channel=payload.channel,
        contact_id=payload.contact_id,
        contact=payload.contact.new_contact() if payload.contact else None,
    )
    return Status(201, ticket_out(Ticket.objects.select_related(*TICKET_RELATED).get(pk=ticket.pk)))


class SplitIn(WriteBody):
    message_ids: list[Id] = Field(min_length=1, max_length=1000)
    subject: Annotated[Text, Field(max_length=300)] = ""


@router.post(
    "/tickets/{ticket_id}/split",
    response={201: TicketOut},
    summary="Split messages into a new ticket",
)
def split_ticket(request: HttpRequest, ticket_id: PathId, payload: SplitIn) -> Any:
    """Move the messages to a new ticket of the same contact (supervisors, admin-scope
    token, like merge); returns the new ticket."""
    from helpdesk.actions.split import do_split_ticket
    from helpdesk.api.auth import require_scope
    from helpdesk.models import TokenScope

    require_scope(request, TokenScope.ADMIN)
    new = do_split_ticket(request.user, ticket_id, payload.message_ids, subject=payload.subject)
    return Status(201, ticket_out(Ticket.objects.select_related(*TICKET_RELATED).get(pk=new.pk)))
