"""What every SMS provider implements, and the values it hands back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from channels_in.sms.models import SmsStatus


class ProviderError(Exception):
    """The provider refused or could not be reached; `reason` carries its own words."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class BadPayload(ValueError):
    """A webhook body that is not what the provider sends (answered with 400)."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """The provider took a text: its id for it and, when it says, status and price."""

    provider_message_id: str
    status: SmsStatus = SmsStatus.QUEUED
    provider_status: str = ""
    words: str = ""
    cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class IncomingSms:
    message_id: str  # the provider's id: a redelivered webhook is stored once
    number: str  # the customer's number, in whatever format the provider writes it
    text: str
    line: str = ""  # our number it was sent to


@dataclass(frozen=True, slots=True)
class Report:
    """A delivery report; `status` None when the provider's value means nothing to us."""

    message_id: str
    status: SmsStatus | None
    provider_status: str
    words: str = ""


class Provider(Protocol):
    def send(self, to: str, text: str, reference: str) -> Receipt:
        """Hand one text to the provider; `reference` is ours (the message id), for
        providers that deduplicate on it. Raises ProviderError."""
        ...

    def check(self) -> str:
        """Test the connection and credentials: a sentence for the admin, or ProviderError."""
        ...

    def parse_inbound(self, data: Mapping[str, Any]) -> list[IncomingSms]:
        """The texts in a received-SMS webhook; BadPayload when it is not one."""
        ...

    def parse_report(self, data: Mapping[str, Any]) -> list[Report]:
        """The delivery reports in a report webhook; BadPayload when it is not one."""
        ...


def field(data: Any, path: str) -> Any:
    """The value at dotted `path` ("entries.0.messageid") in JSON-like data, or None."""
    value = data
    for key in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
        if value is None:
            return None
    return value


def text_field(data: Any, path: str, *, required: bool = True, limit: int = 2000) -> str:
    """A scalar field as text; BadPayload when required and missing, or not a scalar."""
    value = field(data, path) if path else None
    if value is None or value == "":
        if required:
            raise BadPayload(f"missing field {path!r}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadPayload(f"field {path!r} is not text")
    text = str(value)
    if len(text) > limit:
        raise BadPayload(f"field {path!r} is longer than {limit} characters")
    return text
