"""The composer's WhatsApp window notice and template picker (whatsapp/_composer.html)."""

from __future__ import annotations

from typing import Any

from django import template

from channels_in.whatsapp.composer import composer_state

register = template.Library()


@register.simple_tag
def whatsapp_composer(ticket: Any) -> dict[str, Any] | None:
    """The window's state and the inbox's templates for a WhatsApp ticket, else None."""
    return composer_state(ticket)
