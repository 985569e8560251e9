"""Agent replies and auto-replies to WhatsApp: text, media, and templates outside the window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from channels_in.whatsapp.graph import BAD_TOKEN, WINDOW_CLOSED, Graph, GraphError
from channels_in.whatsapp.models import SentPart, TemplateSend, WhatsAppConfig
from channels_in.whatsapp.window import window_open
from helpdesk.channel_kit.botapi.format import split_text
from helpdesk.channels import DeliveryError, NotConnected, SendResult
from helpdesk.identities import PHONE
from helpdesk.models import Contact, ContactIdentity, Direction
from helpdesk.models import Message as DeskMessage

TEXT_LIMIT = 4096
UPLOAD_LIMITS = {"image": 5, "audio": 16, "video": 16, "document": 100}  # MB, Meta's limits
_IMAGE_TYPES = {"image/jpeg", "image/png"}
_AUDIO_TYPES = {"audio/aac", "audio/mp4", "audio/mpeg", "audio/amr", "audio/ogg"}
CLOSED_WINDOW = (
    "The customer's 24-hour WhatsApp window is closed: only an approved template can be "
    "sent now (choose one under the reply box)."
)


@dataclass(frozen=True, slots=True)
class Part:
    index: int
    payload: dict[str, Any] | None = None  # ready to send
    name: str = ""
    kind: str = ""  # a file to upload first: image | audio | document
    content_type: str = ""
    data: bytes = b""


class WhatsAppSender:
    """Delivers an outbound message to the customer's WhatsApp number."""

    def send(self, message: DeskMessage) -> SendResult:
        """Send a template (when the agent chose one) or text then files; parts already
        sent are not sent again; outside the 24-hour window only templates go."""
        config = WhatsAppConfig.objects.filter(inbox_id=message.inbox_id).first()
        if config is None or not config.access_token:
            raise NotConnected("this inbox has no WhatsApp number configured")
        contact = Contact.objects.get(pk=message.ticket.contact_id).resolve()
        to = _number_of(message, contact)
        template = TemplateSend.objects.select_related("template").filter(message=message).first()
        if template is None and not window_open(message.inbox_id, contact.pk, timezone.now()):
            raise DeliveryError(CLOSED_WINDOW, permanent=True)
        parts = [_template_part(template)] if template else _parts(message)
        done = dict(SentPart.objects.filter(message=message).values_list("index", "wamid"))
        try:
            with Graph(config.access_token) as graph:
                for part in parts:
                    if part.index in done:
                        continue
                    payload = part.payload or _upload(graph, config, part)
                    wamid = graph.send(config.phone_number_id, {"to": to, **payload})
                    SentPart.objects.get_or_create(
                        message=message, index=part.index, defaults={"wamid": wamid}
                    )
                    done[part.index] = wamid
        except GraphError as exc:
            raise _delivery_error(exc) from exc
        return SendResult(external_id=done[min(done)] if done else None)


def _number_of(message: DeskMessage, contact: Contact) -> str:
    """The WhatsApp number the customer last wrote from on this ticket, else one of
    the contact's phone numbers (a contact may have a landline too)."""
    last = (
        DeskMessage.objects.filter(
            ticket_id=message.ticket_id,
            inbox_id=message.inbox_id,
            direction=Direction.INBOUND,
            channel_meta__has_key="whatsapp_wa_id",
        )
        .order_by("-created_at", "-id")
        .values_list("channel_meta", flat=True)
        .first()
    )
    if last and str(last.get("whatsapp_wa_id") or "").isdigit():
        return str(last["whatsapp_wa_id"])
    numbers = ContactIdentity.objects.filter(contact=contact, kind=PHONE).values_list(
        "address", flat=True
    )
    number = next(iter(numbers), None)
    if not number:
        raise DeliveryError("the customer has no phone number for WhatsApp", permanent=True)
    return number.lstrip("+")


def _template_part(send: TemplateSend) -> Part:
    template = send.template
    payload: dict[str, Any] = {
        "type": "template",
        "template": {"name": template.name, "language": {"code": template.language}},
    }
    if send.parameters:
        payload["template"]["components"] = [
            {"type": "body", "parameters": [{"type": "text", "text": v} for v in send.parameters]}
        ]
    return Part(0, payload)


def _parts(message: DeskMessage) -> list[Part]:
    parts = [
        Part(i, {"type": "text", "text": {"body": chunk, "preview_url": False}})
        for i, chunk in enumerate(split_text(message.text, TEXT_LIMIT))
    ]
    for attachment in message.attachments.order_by("id"):
        kind = (
            "image"
            if attachment.content_type in _IMAGE_TYPES
            else "audio"
            if attachment.content_type in _AUDIO_TYPES
            else "document"
        )
        if attachment.size > UPLOAD_LIMITS[kind] * 1024 * 1024:
            raise DeliveryError(
                f"{attachment.name} is {attachment.size // (1024 * 1024)} MB; WhatsApp takes "
                f"{kind} files up to {UPLOAD_LIMITS[kind]} MB",
                permanent=True,
            )
        with attachment.file.open("rb") as fh:
            data = fh.read()
        parts.append(Part(len(parts), None, attachment.name, kind, attachment.content_type, data))
    return parts


def _upload(graph: Graph, config: WhatsAppConfig, part: Part) -> dict[str, Any]:
    media_id = graph.upload(config.phone_number_id, part.name, part.content_type, part.data)
    media: dict[str, Any] = {"id": media_id}
    if part.kind == "document":
        media["filename"] = part.name
    return {"type": part.kind, part.kind: media}


def _delivery_error(exc: GraphError) -> DeliveryError:
    if exc.code == WINDOW_CLOSED:
        return DeliveryError(f"{CLOSED_WINDOW} (WhatsApp said: {exc})", permanent=True)
    if exc.code == BAD_TOKEN or exc.status == 401:
        return DeliveryError(
            f"WhatsApp rejected the access token: update it in the admin ({exc})", permanent=True
        )
    if exc.temporary:
        return DeliveryError(f"WhatsApp: {exc}", permanent=False, retry_after=60)
    return DeliveryError(f"WhatsApp refused the message: {exc}", permanent=True)
