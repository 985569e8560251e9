"""What installed channels add to the inbox: partials, ES modules, navigation links.

The inbox names no channel: it includes every `inbox_templates` partial, loads every
`inbox_scripts` module (main.js imports each and runs its `wire(sock, ctx)`) and links
every `inbox_pages` page of the specs in helpdesk.channels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.templatetags.static import static
from django.urls import reverse

from helpdesk import channels

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def channel_pages() -> list[tuple[str, StrOrPromise]]:
    """(url, label) of every installed channel's inbox pages, for the navigation."""
    return [(reverse(name), label) for spec in channels.specs() for name, label in spec.inbox_pages]


def inbox_slots() -> dict[str, Any]:
    """The partials the inbox includes and the URLs of the modules it imports."""
    specs = channels.specs()
    return {
        "channel_templates": [path for spec in specs for path in spec.inbox_templates],
        "channel_modules": [static(path) for spec in specs for path in spec.inbox_scripts],
    }
