"""A reply on a channel that is not set up is "not connected", not a failed delivery."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpdesk.actions.messages import do_reply, do_retry_delivery
from helpdesk.ingest import receive
from helpdesk.models import DeliveryStatus
from helpdesk.tasks import deliver_message
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_it_marks_a_reply_on_an_unconfigured_telegram_inbox_not_connected(
    team_a: Any, agent_a: Any, admin_user: Any
) -> None:
    inbox = factories.make_inbox(team_a, "telegram")  # no bot token
    ticket = receive(factories.inbound(inbox, sender="700100200")).ticket
    reply = do_reply(agent_a, ticket.pk, "Hello from the desk")

    assert deliver_message.call(reply.pk) == "not connected"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.NOT_CONNECTED

    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/t/{ticket.pk}/timeline/").content.decode()
    assert "Not connected: Telegram is not set up for this inbox" in page
    assert 'href="/admin/channel_telegram/telegramconfig/"' in page
    assert "Not delivered" not in page
    client.force_login(agent_a)  # agents are told, only admins get the setup link
    page = client.get(f"/t/{ticket.pk}/timeline/").content.decode()
    assert "Not connected" in page and "/admin/" not in page

    # Once the channel is set up, an agent sends it again.
    assert do_retry_delivery(agent_a, reply.pk).delivery_status == DeliveryStatus.QUEUED
