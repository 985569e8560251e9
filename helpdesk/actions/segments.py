"""Segment actions: save a filter as a segment, add chosen contacts to one, delete."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from pydantic import ValidationError

from helpdesk.actions.common import Actor
from helpdesk.actions.companies import check_may_manage_crm
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.crm.filters import MAX_INCLUDED, ContactFilter
from helpdesk.models import Segment
from helpdesk.staff.access import visible_contacts


def _definition(raw: Any) -> dict[str, Any]:
    try:
        return ContactFilter.model_validate(raw or {}).model_dump(
            mode="json", exclude_defaults=True
        )
    except ValidationError as exc:
        raise Invalid(
            f"bad segment definition: {exc.errors()[0]['msg']}", field="definition"
        ) from exc


def do_save_segment(
    actor: Actor,
    segment_id: int | None,
    *,
    name: str,
    definition: dict[str, Any],
    description: str = "",
) -> Segment:
    """Create or change a segment (supervisors and admins). Configuration, not a contact
    change: no event is recorded."""
    check_may_manage_crm(actor)
    name = name.strip()[:150]
    if not name:
        raise Invalid("a segment needs a name", field="name")
    cleaned = _definition(definition)
    try:
        with transaction.atomic():
            if segment_id is None:
                return Segment.objects.create(
                    name=name,
                    description=description[:300],
                    definition=cleaned,
                    created_by_id=actor.pk,
                )
            segment = Segment.objects.select_for_update().filter(pk=segment_id).first()
            if segment is None:
                raise NotFound(f"segment {segment_id} not found")
            segment.name, segment.description, segment.definition = (
                name,
                description[:300],
                cleaned,
            )
            segment.save(update_fields=["name", "description", "definition", "updated_at"])
            return segment
    except IntegrityError as exc:
        raise Invalid("another segment has that name", field="name") from exc


def do_add_to_segment(actor: Actor, segment_id: int, contact_ids: list[int]) -> Segment:
    """Add chosen contacts (those the actor can see) to a segment, whatever its conditions."""
    check_may_manage_crm(actor)
    with transaction.atomic():
        segment = Segment.objects.select_for_update().filter(pk=segment_id).first()
        if segment is None:
            raise NotFound(f"segment {segment_id} not found")
        flt = ContactFilter.model_validate(segment.definition or {})
        readable = visible_contacts(actor).filter(pk__in=contact_ids).values_list("pk", flat=True)
        ids = sorted({*flt.include_ids, *readable})
        if len(ids) > MAX_INCLUDED:
            raise Invalid(f"a segment lists at most {MAX_INCLUDED} contacts", field="contact_ids")
        segment.definition = {**(segment.definition or {}), "include_ids": ids}
        segment.save(update_fields=["definition", "updated_at"])
        return segment


def do_delete_segment(actor: Actor, segment_id: int) -> None:
    """Delete a segment (its contacts are untouched)."""
    check_may_manage_crm(actor)
    deleted, _ = Segment.objects.filter(pk=segment_id).delete()
    if not deleted:
        raise NotFound(f"segment {segment_id} not found")
