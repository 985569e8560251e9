"""Strict parsing of generic CTI events (the format Zammad's "CTI (generic)" speaks)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import HttpRequest, QueryDict
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from helpdesk.webhooks import BadBody, load_json


class CtiParseError(ValueError):
    """The event is well-formed but not a valid CTI event (answered with 422)."""


class CtiBodyError(ValueError):
    """The body itself cannot be read: not JSON the desk accepts (answered with 400)."""


def _users(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ValueError("user must be a string or a list of strings")


class CtiEvent(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", str_strip_whitespace=True)

    event: Literal["newCall", "answer", "hangup"]
    from_: str = Field(alias="from", max_length=64)
    to: str = Field(max_length=64)
    direction: Literal["in", "out"]
    call_id: str = Field(alias="callId", min_length=1, max_length=200)
    user: Annotated[list[str], BeforeValidator(_users)] = []
    queue: str = Field(default="", max_length=200)
    answering_number: str = Field(default="", alias="answeringNumber", max_length=64)
    cause: str = Field(default="", max_length=40)
    recording_url: str = Field(default="", alias="recordingUrl", max_length=1000)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        # "%00" in a form body decodes to NUL, which PostgreSQL refuses in text.
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise ValueError("must not contain NUL characters")
        return value


def _form_to_dict(data: QueryDict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in data:
        values = data.getlist(key)
        name = key[:-2] if key.endswith("[]") else key
        out[name] = values if (key.endswith("[]") or len(values) > 1) else values[0]
    return out


def parse_request(request: HttpRequest) -> CtiEvent:
    """Form-encoded or JSON body -> CtiEvent; CtiParseError names the bad field,
    CtiBodyError says why a JSON body cannot be read at all."""
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            raw = load_json(request.body or b"{}")
        except BadBody as exc:
            raise CtiBodyError(str(exc)) from exc
        if not isinstance(raw, dict):
            raise CtiParseError("the JSON body must be an object")
    else:
        raw = _form_to_dict(request.POST)
    try:
        return CtiEvent.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise CtiParseError(f"{field}: {first['msg']}") from exc
