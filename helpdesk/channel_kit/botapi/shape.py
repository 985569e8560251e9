"""The JSON shape of the Bot API updates the desk reads, checked strictly.

Telegram and the services that copy its Bot API (Bale) send the same Update
objects. python-telegram-bot builds its objects from whatever JSON it is given (a missing
chat becomes None, a text that is an object stays an object), so a wrong type
would only fail later, deep in parsing or storing, as a 500. load_update checks
the shape of everything parse.py reads first; unknown fields pass.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)
from telegram import Update

from helpdesk.webhooks import INT64_MAX, INT64_MIN


class MalformedUpdate(ValueError):
    """The body is JSON but not a Bot API update."""


Int64 = Annotated[StrictInt, Field(ge=INT64_MIN, le=INT64_MAX)]
Size = Annotated[StrictInt, Field(ge=0, le=INT64_MAX)]
UnixTime = Annotated[StrictInt, Field(ge=0, le=253_402_300_799)]  # up to the year 9999
Degrees = Annotated[StrictFloat | StrictInt, Field(ge=-180, le=180)]
OptStr = StrictStr | None


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class _User(_Shape):
    id: Int64
    is_bot: StrictBool
    first_name: StrictStr
    last_name: OptStr = None
    username: OptStr = None
    language_code: OptStr = None


class _Chat(_Shape):
    id: Int64
    type: StrictStr


class _Entity(_Shape):
    type: StrictStr
    offset: Size
    length: Size
    url: OptStr = None
    language: OptStr = None
    custom_emoji_id: OptStr = None
    user: _User | None = None


class _File(_Shape):
    file_id: StrictStr
    file_unique_id: StrictStr
    file_size: Size | None = None
    file_name: OptStr = None
    mime_type: OptStr = None


class _Sticker(_File):
    emoji: OptStr = None
    is_animated: StrictBool = False
    is_video: StrictBool = False


class _Location(_Shape):
    latitude: Degrees
    longitude: Degrees


class _Venue(_Shape):
    location: _Location
    title: StrictStr
    address: StrictStr


class _Contact(_Shape):
    phone_number: StrictStr
    first_name: StrictStr
    last_name: OptStr = None
    user_id: Int64 | None = None


class _Message(_Shape):
    message_id: Int64
    date: UnixTime
    chat: _Chat
    from_: _User | None = Field(default=None, alias="from")
    edit_date: UnixTime | None = None
    text: OptStr = None
    entities: list[_Entity] | None = None
    caption: OptStr = None
    caption_entities: list[_Entity] | None = None
    reply_to_message: _Message | None = None
    location: _Location | None = None
    venue: _Venue | None = None
    contact: _Contact | None = None
    photo: list[_File] | None = None
    sticker: _Sticker | None = None
    animation: _File | None = None
    document: _File | None = None
    video: _File | None = None
    video_note: _File | None = None
    voice: _File | None = None
    audio: _File | None = None


class _Member(_Shape):
    status: StrictStr
    user: _User


class _MemberChange(_Shape):
    chat: _Chat
    from_: _User = Field(alias="from")
    date: UnixTime
    old_chat_member: _Member
    new_chat_member: _Member


class _CallbackQuery(_Shape):
    id: StrictStr
    from_: _User = Field(alias="from")
    message: _Message | None = None
    data: OptStr = None


class _Envelope(_Shape):
    update_id: Int64
    message: _Message | None = None
    edited_message: _Message | None = None
    channel_post: _Message | None = None
    edited_channel_post: _Message | None = None
    my_chat_member: _MemberChange | None = None
    callback_query: _CallbackQuery | None = None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]


def load_update(data: Any, service: str = "Bot API") -> Update:
    """Validate the shape strictly, then let python-telegram-bot build the objects.

    `service` names the sender in error messages ("not a Telegram update").
    """
    try:
        _Envelope.model_validate(data)
    except ValidationError as exc:
        raise MalformedUpdate(f"not a {service} update: {_first_error(exc)}") from exc
    try:
        update = Update.de_json(data, None)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise MalformedUpdate(f"not a {service} update: {exc.__class__.__name__}: {exc}") from exc
    if update is None:
        raise MalformedUpdate(f"not a {service} update")
    return update
