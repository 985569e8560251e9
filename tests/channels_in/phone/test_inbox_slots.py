"""The phone's part of the inbox: its pop-up, its module and its call log link.

The inbox shows them only because the phone app is installed (its spec declares
them); without the app, the inbox carries nothing of the phone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.test import Client, override_settings

from helpdesk import channels

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def inbox_of(agent_a: Any) -> Any:
    def get(path: str = "/") -> str:
        client = Client()
        client.force_login(agent_a)
        return client.get(path).content.decode()

    return get


@pytest.fixture
def _without_the_phone_app() -> Iterator[None]:
    apps = [app for app in settings.INSTALLED_APPS if app != "channels_in.phone"]
    channels.reset()
    with override_settings(INSTALLED_APPS=apps):
        yield
    channels.reset()


def test_it_declares_the_popup_module_and_call_log() -> None:
    spec = channels.spec_for("phone")
    assert spec.inbox_templates == ("phone/_inbox_popup.html",)
    assert spec.inbox_scripts == ("phone/calls.js",)
    assert [name for name, _ in spec.inbox_pages] == ["call-log"]
    module = finders.find("phone/calls.js")
    assert module, "phone/calls.js is not a static file"
    with open(str(module), encoding="utf-8") as source:
        assert "export function wire(sock, ctx)" in source.read()


def test_it_adds_the_popup_module_and_call_log_to_the_inbox(inbox_of: Any) -> None:
    body = inbox_of()
    assert 'id="call-popup"' in body and 'id="phone-strings"' in body
    assert static("phone/calls.js") in body
    assert static("phone/calls.css") in body
    assert '<a href="/calls/">Calls</a>' in body
    assert '<a href="/calls/">Calls</a>' in inbox_of("/inbox/nav/")


def test_it_translates_the_popup(agent_a: Any) -> None:
    client = Client()
    client.force_login(agent_a)
    client.post("/me/language/", {"language": "fa"})
    body = client.get("/").content.decode()
    start = body.index('<script id="phone-strings" type="application/json">')
    strings = json.loads(body[body.index(">", start) + 1 : body.index("</script>", start)])
    assert strings["incoming_call"] == "تماس ورودی"  # from the fa catalogue
    assert 'aria-label="تلفن"' in body


@pytest.mark.usefixtures("_without_the_phone_app")
def test_it_adds_nothing_of_the_phone_when_the_app_is_not_installed(inbox_of: Any) -> None:
    assert "phone" not in channels.kinds()
    body = inbox_of()
    assert 'id="call-popup"' not in body and 'id="phone-strings"' not in body
    assert "phone/calls.js" not in body
    assert 'href="/calls/"' not in body
    assert 'href="/calls/"' not in inbox_of("/inbox/nav/")
