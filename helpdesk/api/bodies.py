"""Request bodies of the write endpoints: strict types, unknown fields refused."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictStr,
    model_validator,
)

from helpdesk.api.types import (
    Id,
    IdentityKindText,
    JsonObject,
    Priority,
    Text,
    UtcDatetime,
    Version,
)
from helpdesk.models import TicketStatus

MAX_ATTACHMENTS = 20
# Standard base64 with its padding, exactly what b64decode(validate=True) takes.
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


class WriteBody(Schema):
    model_config = ConfigDict(extra="forbid")


class AttachmentIn(WriteBody):
    name: Annotated[Text, Field(min_length=1, max_length=255)]
    content_type: Annotated[Text, Field(max_length=200)] = "application/octet-stream"
    data_base64: Annotated[StrictStr, Field(pattern=BASE64_PATTERN)]
    _data: bytes = PrivateAttr(default=b"")

    @model_validator(mode="after")
    def _decode(self) -> AttachmentIn:
        try:
            self._data = base64.b64decode(self.data_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("data_base64 is not valid base64") from exc
        return self

    @property
    def data(self) -> bytes:
        return self._data


class ReplyIn(WriteBody):
    text: Text = ""
    html: Text = ""
    resolve: StrictBool = False
    expected_version: Version | None = None
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class NoteIn(WriteBody):
    text: Text = ""
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class AssignIn(WriteBody):
    assignee_id: Id | None
    expected_version: Version | None = None


class VersionIn(WriteBody):
    """Optional body of claim / unassign: the version the caller last saw."""

    expected_version: Version | None = None


class StatusIn(WriteBody):
    status: TicketStatus
    snoozed_until: UtcDatetime | None = None
    expected_version: Version | None = None


class PriorityIn(WriteBody):
    priority: Priority
    expected_version: Version | None = None


class TagsIn(WriteBody):
    tags: list[Annotated[Text, Field(max_length=50)]] = Field(max_length=30)
    expected_version: Version | None = None


class SnoozeIn(WriteBody):
    until: UtcDatetime


class MergeIn(WriteBody):
    target_id: Id


class EmptyIn(WriteBody):
    """No fields; present so a stray field is refused rather than ignored."""


class ContactPatchIn(WriteBody):
    """Only the fields sent are changed; null is not a value for any of them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    name: Annotated[Text, Field(max_length=200)] = ""
    language: Annotated[Text, Field(max_length=10)] = ""
    preferred_channel: IdentityKindText = ""
    notes: Annotated[Text, Field(max_length=20_000)] = ""
    custom_attributes: JsonObject = Field(default_factory=dict)
    tags: list[Annotated[Text, Field(max_length=50)]] = Field(default_factory=list, max_length=30)
    # The contact's company; null takes it out of its company.
    company_id: Id | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> ContactPatchIn:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        return self

    def changes(self) -> dict[str, Any]:
        found = {name: getattr(self, name) for name in sorted(self.model_fields_set)}
        if "company_id" in found:
            found["company"] = found.pop("company_id")
        return found
