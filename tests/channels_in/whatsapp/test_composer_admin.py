"""The composer's window notice and template picker, and the admin's write-only secrets
and connection test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.utils import timezone

from channels_in.whatsapp.composer import composer_state
from channels_in.whatsapp.models import TemplateSend, WhatsAppConfig, WhatsAppTemplate
from helpdesk import crypto
from helpdesk.models import Direction, Message, Ticket
from tests.channels_in.whatsapp.conftest import APP_SECRET, TOKEN, envelope, post, text_message
from tests.channels_in.whatsapp.fake_graph import FakeGraph

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def ticket(wa_config: WhatsAppConfig) -> Ticket:
    post(envelope(messages=[text_message("سلام")]))
    return Ticket.objects.get()


def test_the_composer_knows_when_the_window_is_closed(
    ticket: Ticket, wa_config: WhatsAppConfig
) -> None:
    WhatsAppTemplate.objects.create(config=wa_config, name="hello", body="سلام {{1}}")
    state = composer_state(ticket)
    assert state is not None and state["open"]
    assert state["templates"] == [
        {
            "id": state["templates"][0]["id"],
            "label": "hello (fa)",
            "body": "سلام {{1}}",
            "values": [1],
        }
    ]
    Message.objects.filter(direction=Direction.INBOUND).update(
        created_at=timezone.now() - timedelta(hours=24, seconds=1)
    )
    closed = composer_state(ticket)
    assert closed is not None and not closed["open"]


def test_an_agent_sends_a_template_from_the_composer(
    ticket: Ticket, wa_config: WhatsAppConfig, agent_a: Any, agent_b: Any
) -> None:
    template = WhatsAppTemplate.objects.create(config=wa_config, name="hello", body="سلام {{1}}")
    url = f"/channels/whatsapp/tickets/{ticket.pk}/template/"
    outsider = Client()
    outsider.force_login(agent_b)
    refused = outsider.post(url, {"template": template.pk, "value": ["زهرا"]})
    assert refused.status_code == 404 and not TemplateSend.objects.exists()
    client = Client()
    client.force_login(agent_a)
    assert client.post(url, {"template": template.pk, "value": []}).status_code == 400
    done = client.post(url, {"template": template.pk, "value": ["زهرا"]})
    assert done.status_code == 204 and done.headers["HX-Trigger"] == "desk:ticket-changed"
    assert TemplateSend.objects.get().message.text == "سلام زهرا"


def test_the_admin_keeps_secrets_write_only_and_tests_the_connection(
    wa_config: WhatsAppConfig, fake_graph: FakeGraph
) -> None:
    admin = get_user_model().objects.create_superuser("root-wa", "r@example.com", "pw")
    client = Client()
    client.force_login(admin)
    page = client.get(f"/admin/channel_whatsapp/whatsappconfig/{wa_config.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200
    assert TOKEN not in body and APP_SECRET not in body and wa_config.verify_token not in body
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, app_secret FROM channel_whatsapp_whatsappconfig WHERE id = %s",
            [wa_config.pk],
        )
        token, secret = cursor.fetchone()
    assert TOKEN not in token and crypto.decrypt(token) == TOKEN and APP_SECRET not in secret
    changelist = "/admin/channel_whatsapp/whatsappconfig/"
    action = {"action": "test_connection_action", "_selected_action": [wa_config.pk]}
    ok = client.post(changelist, action, follow=True).content.decode()
    assert "connected to WhatsApp as فروشگاه نمونه (+98 912 000 1234)" in ok
    fake_graph.token = "rotated"  # noqa: S105 - Meta no longer accepts ours
    refused = client.post(changelist, action, follow=True).content.decode()
    assert "Invalid OAuth access token" in refused and TOKEN not in refused


def test_the_inbox_shows_the_closed_window_and_the_picker_in_persian(
    ticket: Ticket, wa_config: WhatsAppConfig, agent_a: Any
) -> None:
    WhatsAppTemplate.objects.create(config=wa_config, name="hello", body="سلام {{1}}")
    client = Client()
    client.force_login(agent_a)
    page = client.get(f"/t/{ticket.pk}/").content.decode()
    assert 'id="whatsapp-window" data-open="true"' in page and "whatsapp/composer.js" in page
    Message.objects.filter(direction=Direction.INBOUND).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    client.post("/me/language/", {"language": "fa"})
    persian = client.get(f"/t/{ticket.pk}/")
    body = persian.content.decode()
    assert 'data-open="false"' in body and "hello (fa)" in body
    assert "پنجرهٔ ۲۴ساعتهٔ واتس‌اپ این مشتری بسته است" in body
    assert f"/channels/whatsapp/tickets/{ticket.pk}/template/" in body
