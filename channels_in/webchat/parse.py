"""Strict parsing of what a widget sends: socket frames and upload forms.

Anything that does not match exactly is refused with a short reason the consumer
returns in an error frame; nothing here touches the database.
"""

from __future__ import annotations

from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from pydantic import ValidationError as PydanticError

MAX_FRAME_BYTES = 16 * 1024
MAX_TEXT = 5000
CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"

ClientId = Annotated[str, Field(pattern=CLIENT_ID_PATTERN)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Hello(_Frame):
    """First frame of every socket: who the visitor is (no token: a new visitor)."""

    type: Literal["hello"]
    token: Annotated[str, Field(max_length=500)] | None = None
    user_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    user_hash: Annotated[str, Field(max_length=128)] | None = None
    language: Literal["fa", "en"] | None = None
    page: Annotated[str, Field(max_length=500)] | None = None


class SendMessage(_Frame):
    type: Literal["message"]
    client_id: ClientId
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value


class Typing(_Frame):
    type: Literal["typing"]
    is_typing: bool


class Prechat(_Frame):
    """The pre-chat form: `values` by question key (`name`, `email`, `phone`,
    `attr:<key>`; channels_in.webchat.prechat); `name` and `email` from older widgets."""

    type: Literal["prechat"]
    name: Annotated[str, Field(max_length=200)] = ""
    email: Annotated[str, Field(max_length=320)] = ""
    values: dict[
        Annotated[str, Field(pattern=r"^(name|email|phone|attr:[a-z][a-z0-9_]{0,49})$")],
        Annotated[str, Field(max_length=1000)],
    ] = Field(default_factory=dict, max_length=20)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower()
        if value:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise ValueError("not an email address") from exc
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return " ".join(value.split())


class Ping(_Frame):
    type: Literal["ping"]


class Rate(_Frame):
    """The visitor's answer to a survey drawn in the widget (channels_in.webchat.survey)."""

    type: Literal["rate"]
    request_id: Annotated[int, Field(ge=1, le=2**63 - 1)]
    score: Annotated[int, Field(ge=0, le=10)]


type AnyFrame = Hello | SendMessage | Typing | Prechat | Ping | Rate
ClientFrame = Annotated[AnyFrame, Field(discriminator="type")]
_adapter: TypeAdapter[AnyFrame] = TypeAdapter(ClientFrame)


class FrameError(ValueError):
    """A frame the server refuses; `code` is machine-readable, the message is for logs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_frame(text: str | None) -> AnyFrame:
    """Parse one text frame from the widget, or raise FrameError."""
    if text is None:
        raise FrameError("bad_frame", "only text frames are accepted")
    if len(text.encode("utf-8")) > MAX_FRAME_BYTES:
        raise FrameError("too_large", f"frames are limited to {MAX_FRAME_BYTES} bytes")
    try:
        return _adapter.validate_json(text)
    except PydanticError as exc:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid"}
        where = ".".join(str(part) for part in first.get("loc", ())) or "frame"
        raise FrameError("bad_frame", f"{where}: {first.get('msg', 'invalid')}") from None


class UploadForm(BaseModel):
    """The fields of an attachment upload (the file itself is checked by the view)."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    token: Annotated[str, Field(min_length=1, max_length=500)]
    client_id: ClientId
    text: Annotated[str, Field(max_length=MAX_TEXT)] = ""


def parse_upload(fields: dict[str, str]) -> UploadForm:
    """Validate an upload's form fields, or raise FrameError."""
    try:
        return UploadForm.model_validate(fields)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "form"
        raise FrameError("bad_request", f"{where}: {first.get('msg', 'invalid')}") from None
