"""Attribute definitions (admins) and a ticket's custom attributes."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field, StrictStr

from helpdesk.actions import attributes as attribute_actions
from helpdesk.actions.companies import check_may_read_crm
from helpdesk.api.auth import require_scope
from helpdesk.api.types import JsonObject, PathId, Text, Version
from helpdesk.models import AttributeDefinition, AttributeEntity, AttributeType, TokenScope

router = Router(tags=["attributes"])


class AttributeOut(Schema):
    id: int
    entity: AttributeEntity
    key: str
    label: str
    type: AttributeType
    choices: list[str]
    required: bool
    position: int


class AttributeIn(Schema):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    entity: AttributeEntity = AttributeEntity.CONTACT
    # Its own pattern (which excludes NUL), not Text's NUL-only one.
    key: Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]{0,49}$")] = "key"
    label: Annotated[Text, Field(min_length=1, max_length=100)] = "Label"
    type: AttributeType = AttributeType.TEXT
    choices: list[Annotated[Text, Field(max_length=100)]] = Field(
        default_factory=list, max_length=200
    )
    required: bool = False
    position: int = Field(0, ge=0, le=32767)

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in sorted(self.model_fields_set)}


class AttributeFilters(Schema):
    entity: AttributeEntity | None = None


class TicketAttributesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    custom_attributes: JsonObject
    expected_version: Version | None = None


class TicketAttributesOut(Schema):
    id: int
    version: int
    custom_attributes: dict[str, Any]


def _out(defn: AttributeDefinition) -> dict[str, Any]:
    return {
        "id": defn.pk,
        "entity": defn.entity,
        "key": defn.key,
        "label": defn.label,
        "type": defn.type,
        "choices": [str(c) for c in defn.choices or []],
        "required": defn.required,
        "position": defn.position,
    }


@router.get("/attributes", response=list[AttributeOut], summary="Attribute definitions")
def list_attributes(request: HttpRequest, filters: Query[AttributeFilters]) -> Any:
    """Every typed attribute of contacts, companies and tickets (or of one entity)."""
    check_may_read_crm(request.user)
    qs = AttributeDefinition.objects.order_by("entity", "position", "id")
    if filters.entity:
        qs = qs.filter(entity=filters.entity)
    return [_out(d) for d in qs]


@router.post("/attributes", response={201: AttributeOut}, summary="Define an attribute")
def create_attribute(request: HttpRequest, payload: AttributeIn) -> Any:
    """Admins only (admin-scope token)."""
    require_scope(request, TokenScope.ADMIN)
    values = {name: getattr(payload, name) for name in attribute_actions.FIELDS}
    return 201, _out(attribute_actions.do_save_attribute_definition(request.user, None, values))


@router.patch("/attributes/{attribute_id}", response=AttributeOut, summary="Edit a definition")
def update_attribute(request: HttpRequest, attribute_id: PathId, payload: AttributeIn) -> Any:
    """The key and entity stay (stored values are keyed by them)."""
    require_scope(request, TokenScope.ADMIN)
    defn = attribute_actions.do_save_attribute_definition(
        request.user, attribute_id, payload.changes()
    )
    return _out(defn)


@router.delete("/attributes/{attribute_id}", response={204: None}, summary="Delete a definition")
def delete_attribute(request: HttpRequest, attribute_id: PathId) -> Any:
    require_scope(request, TokenScope.ADMIN)
    attribute_actions.do_delete_attribute_definition(request.user, attribute_id)
    return 204, None


@router.patch(
    "/tickets/{ticket_id}/attributes", response=TicketAttributesOut, summary="Ticket attributes"
)
def set_ticket_attributes(
    request: HttpRequest, ticket_id: PathId, payload: TicketAttributesIn
) -> Any:
    """Set some of a ticket's custom attributes (typed ones validated; "" or null removes)."""
    ticket = attribute_actions.do_set_ticket_attributes(
        request.user,
        ticket_id,
        payload.custom_attributes,
        expected_version=payload.expected_version,
    )
    return {
        "id": ticket.pk,
        "version": ticket.version,
        "custom_attributes": ticket.custom_attributes,
    }
