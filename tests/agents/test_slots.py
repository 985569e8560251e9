"""The inbox's channel slots: it shows what the installed channels declare, naming none."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

from helpdesk import channels

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _modules(body: str) -> list[str]:
    start = body.index('<script id="desk-modules" type="application/json">')
    start = body.index(">", start) + 1
    return list(json.loads(body[start : body.index("</script>", start)]))


def test_it_loads_the_module_of_every_installed_channel(login: Any, agent_a: Any) -> None:
    body = login(agent_a).get("/").content.decode()
    declared = [static(path) for spec in channels.specs() for path in spec.inbox_scripts]
    assert _modules(body) == declared
    # Only same-origin static modules: the CSP stays 'self', with no inline script.
    for spec in channels.specs():
        for path in spec.inbox_scripts:
            assert finders.find(path), f"{spec.kind}: {path} is not a static file"


def test_it_links_every_channel_page_in_the_navigation(login: Any, agent_a: Any) -> None:
    client = login(agent_a)
    pages = [(reverse(name), str(label)) for s in channels.specs() for name, label in s.inbox_pages]
    for body in (client.get("/").content.decode(), client.get("/inbox/nav/").content.decode()):
        for url, label in pages:
            assert f'<a href="{url}">{label}</a>' in body


def test_it_includes_every_channel_partial(login: Any, agent_a: Any) -> None:
    response = login(agent_a).get("/")
    used = {t.name for t in response.templates}
    assert {p for s in channels.specs() for p in s.inbox_templates} <= used
