"""Strict parsing of WhatsApp Cloud API webhook bodies into what the core understands.

Pure: no database, no network. Meta sends one JSON envelope per POST with any
number of entries and changes; each change may hold customer messages (with the
senders' profiles) and statuses of the business's own messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)

from helpdesk.identities import PHONE
from helpdesk.inbound import InboundMessage, Sender

Digits = Annotated[StrictStr, Field(pattern=r"^\d{4,20}$")]
Stamp = Annotated[StrictStr, Field(pattern=r"^\d{1,12}$")]  # Unix seconds, as a string
Degrees = Annotated[StrictFloat | StrictInt, Field(ge=-180, le=180)]
Id = Annotated[StrictStr, Field(min_length=1, max_length=200)]
MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")


class MalformedWebhook(ValueError):
    """The body is JSON but not a WhatsApp webhook."""


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Text(_Shape):
    body: StrictStr


class _Media(_Shape):
    id: Id
    mime_type: StrictStr = "application/octet-stream"
    caption: StrictStr | None = None
    filename: StrictStr | None = None


class _Location(_Shape):
    latitude: Degrees
    longitude: Degrees
    name: StrictStr | None = None
    address: StrictStr | None = None


class _Button(_Shape):
    text: StrictStr


class _Reply(_Shape):
    title: StrictStr


class _Interactive(_Shape):
    button_reply: _Reply | None = None
    list_reply: _Reply | None = None


class _Context(_Shape):
    id: StrictStr | None = None


class _Message(_Shape):
    from_: Digits = Field(alias="from")
    id: Id
    timestamp: Stamp
    type: StrictStr
    text: _Text | None = None
    image: _Media | None = None
    document: _Media | None = None
    audio: _Media | None = None
    video: _Media | None = None
    sticker: _Media | None = None
    location: _Location | None = None
    button: _Button | None = None
    interactive: _Interactive | None = None
    context: _Context | None = None


class _Profile(_Shape):
    name: StrictStr = ""


class _Contact(_Shape):
    wa_id: Digits
    profile: _Profile = _Profile()


class _ErrorData(_Shape):
    details: StrictStr | None = None


class _Error(_Shape):
    code: StrictInt
    title: StrictStr = ""
    message: StrictStr | None = None
    error_data: _ErrorData | None = None


class _Status(_Shape):
    id: Id
    status: Literal["sent", "delivered", "read", "failed", "deleted", "warning"]
    timestamp: Stamp
    recipient_id: StrictStr | None = None
    errors: list[_Error] = []


class _Metadata(_Shape):
    phone_number_id: Id
    display_phone_number: StrictStr = ""


class _Value(_Shape):
    messaging_product: Literal["whatsapp"]
    metadata: _Metadata
    contacts: list[_Contact] = []
    messages: list[_Message] = []
    statuses: list[_Status] = []


class _Change(_Shape):
    field: StrictStr
    value: dict[str, Any]


class _Entry(_Shape):
    id: StrictStr
    changes: list[_Change]


class _Envelope(_Shape):
    object: Literal["whatsapp_business_account"]
    entry: list[_Entry]


@dataclass(frozen=True, slots=True)
class MediaRef:
    media_id: str
    name: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Incoming:
    phone_number_id: str
    message: InboundMessage
    media: tuple[MediaRef, ...] = ()


@dataclass(frozen=True, slots=True)
class StatusReport:
    phone_number_id: str
    wamid: str
    status: str
    at: datetime
    error: str = ""


@dataclass(frozen=True, slots=True)
class Batch:
    messages: tuple[Incoming, ...]
    statuses: tuple[StatusReport, ...]
    phone_number_ids: frozenset[str]


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _when(stamp: str) -> datetime:
    return datetime.fromtimestamp(int(stamp), tz=UTC)


def parse_webhook(data: Any, inbox_for: dict[str, int]) -> Batch:
    """Messages and statuses of a webhook body; `inbox_for` maps phone_number_id -> inbox.

    Changes of other fields (templates, account updates) and of numbers this desk
    does not serve are left out. Raises MalformedWebhook.
    """
    try:
        envelope = _Envelope.model_validate(data)
        values = [
            _Value.model_validate(change.value)
            for entry in envelope.entry
            for change in entry.changes
            if change.field == "messages"
        ]
    except ValidationError as exc:
        raise MalformedWebhook(f"not a WhatsApp webhook: {_first_error(exc)}") from exc
    messages: list[Incoming] = []
    statuses: list[StatusReport] = []
    numbers = frozenset(v.metadata.phone_number_id for v in values)
    for value in values:
        number = value.metadata.phone_number_id
        inbox_id = inbox_for.get(number)
        if inbox_id is None:
            continue
        names = {c.wa_id: c.profile.name for c in value.contacts}
        # A reaction (an emoji on a message) is no message of its own.
        messages += [
            _incoming(number, inbox_id, m, names) for m in value.messages if m.type != "reaction"
        ]
        statuses += [_status(number, s) for s in value.statuses]
    return Batch(tuple(messages), tuple(statuses), numbers)


def _status(number: str, status: _Status) -> StatusReport:
    words = "; ".join(
        " ".join(
            p for p in (f"{e.code}", e.title, (e.error_data.details if e.error_data else "")) if p
        )
        for e in status.errors
    )
    return StatusReport(number, status.id, status.status, _when(status.timestamp), words)


def _incoming(number: str, inbox_id: int, message: _Message, names: dict[str, str]) -> Incoming:
    text, media = _content(message)
    wa_id = message.from_
    reply_to = message.context.id if message.context else None
    return Incoming(
        number,
        InboundMessage(
            inbox_id=inbox_id,
            external_id=message.id,
            sender=Sender(kind=PHONE, address=f"+{wa_id}", display_name=names.get(wa_id, "")),
            received_at=_when(message.timestamp),
            text=text,
            meta={
                "whatsapp_wa_id": wa_id,
                "whatsapp_type": message.type,
                "whatsapp_media": [m.media_id for m in media],
                "whatsapp_media_names": {m.media_id: m.name for m in media},
                **({"whatsapp_context": reply_to} if reply_to else {}),
            },
        ),
        tuple(media),
    )


def _content(message: _Message) -> tuple[str, list[MediaRef]]:
    kind = message.type
    if kind == "text" and message.text is not None:
        return message.text.body, []
    if kind in MEDIA_TYPES and getattr(message, kind) is not None:
        item: _Media = getattr(message, kind)
        extension = item.mime_type.split("/")[-1].split(";")[0] or "bin"
        name = item.filename or f"{kind}_{message.id[-8:]}.{extension}"
        label = item.caption or f"[{kind}]"
        return label, [MediaRef(item.id, name, item.mime_type.split(";")[0])]
    if kind == "location" and message.location is not None:
        loc = message.location
        where = ", ".join(p for p in (loc.name, loc.address) if p)
        label = f"[location] {where}" if where else "[location]"
        return (
            f"{label} {loc.latitude:.6f}, {loc.longitude:.6f} "
            f"https://www.openstreetmap.org/?mlat={loc.latitude:.6f}&mlon={loc.longitude:.6f}"
        ), []
    if kind == "button" and message.button is not None:
        return message.button.text, []
    if kind == "interactive" and message.interactive is not None:
        reply = message.interactive.button_reply or message.interactive.list_reply
        if reply is not None:
            return reply.title, []
    return f"[{kind} message: not shown by the desk; see it in WhatsApp]", []
