"""Outbound on WhatsApp: text and media inside the 24-hour window, templates outside it,
Meta's errors mapped to permanent or temporary failures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from channels_in.whatsapp.actions import do_send_template
from channels_in.whatsapp.models import SentPart, WhatsAppConfig, WhatsAppTemplate
from channels_in.whatsapp.sender import CLOSED_WINDOW, WhatsAppSender
from helpdesk.actions.errors import ActionError
from helpdesk.actions.messages import OutgoingFile, do_reply
from helpdesk.channels import DeliveryError
from helpdesk.models import ContactIdentity, Direction, Message, Ticket
from tests.channels_in.whatsapp.conftest import NUMBER_ID, WA_ID, envelope, post, text_message
from tests.channels_in.whatsapp.fake_graph import FakeGraph

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def ticket(wa_config: WhatsAppConfig) -> Ticket:
    post(envelope(messages=[text_message("سلام")]))
    return Ticket.objects.get()


def _age_inbound(hours: float) -> None:
    Message.objects.filter(direction=Direction.INBOUND).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )


def test_it_sends_persian_text_and_files_inside_the_window(
    ticket: Ticket, agent_a: Any, fake_graph: FakeGraph
) -> None:
    reply = do_reply(
        agent_a,
        ticket.pk,
        "سفارش شما فردا می‌رسد <ساعت ۱۰> & سالم",
        files=(
            OutgoingFile("label.png", "image/png", b"\x89PNG fake"),
            OutgoingFile("فاکتور.pdf", "application/pdf", b"%PDF-1.7"),
        ),
    )
    result = WhatsAppSender().send(reply)
    text, image, document = fake_graph.sent()
    assert text == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": "سفارش شما فردا می‌رسد <ساعت ۱۰> & سالم", "preview_url": False},
    }
    assert image["type"] == "image" and image["image"]["id"].startswith("upload-")
    assert document["document"]["filename"] == "فاکتور.pdf"
    uploads = [c for c in fake_graph.calls if c.path.endswith(f"{NUMBER_ID}/media")]
    assert [c.files["file"] for c in uploads] == [
        ("label.png", b"\x89PNG fake"),
        ("فاکتور.pdf", b"%PDF-1.7"),
    ]
    parts = list(SentPart.objects.filter(message=reply).values_list("wamid", flat=True))
    assert len(parts) == 3 and result.external_id == parts[0]


def test_it_does_not_resend_parts_after_a_rate_limit(
    ticket: Ticket, agent_a: Any, fake_graph: FakeGraph
) -> None:
    reply = do_reply(
        agent_a, ticket.pk, "متن", files=(OutgoingFile("a.pdf", "application/pdf", b"%PDF"),)
    )
    fake_graph.fail("media", 429, 130429, "Rate limit hit")
    with pytest.raises(DeliveryError) as slow:
        WhatsAppSender().send(reply)
    assert not slow.value.permanent and "Rate limit hit" in slow.value.reason
    WhatsAppSender().send(reply)
    assert [b["type"] for b in fake_graph.sent()] == ["text", "document"]


def test_it_holds_a_free_reply_once_the_window_has_closed(
    ticket: Ticket, agent_a: Any, fake_graph: FakeGraph
) -> None:
    _age_inbound(25)
    reply = do_reply(agent_a, ticket.pk, "دیر شد")
    with pytest.raises(DeliveryError) as closed:
        WhatsAppSender().send(reply)
    assert closed.value.permanent and closed.value.reason == CLOSED_WINDOW
    assert fake_graph.sent() == []


def test_it_sends_a_template_outside_the_window(
    ticket: Ticket, wa_config: WhatsAppConfig, agent_a: Any, fake_graph: FakeGraph
) -> None:
    _age_inbound(30)
    template = WhatsAppTemplate.objects.create(
        config=wa_config,
        name="order_update",
        language="fa",
        body="{{1}} عزیز، سفارش {{2}} شما ارسال شد.",
    )
    reply = do_send_template(agent_a, ticket.pk, template.pk, ["زهرا", "۱۰۴۲"])
    assert reply.text == "زهرا عزیز، سفارش ۱۰۴۲ شما ارسال شد."
    WhatsAppSender().send(reply)
    (sent,) = fake_graph.sent()
    assert sent["type"] == "template"
    assert sent["template"] == {
        "name": "order_update",
        "language": {"code": "fa"},
        "components": [
            {
                "type": "body",
                "parameters": [{"type": "text", "text": "زهرا"}, {"type": "text", "text": "۱۰۴۲"}],
            }
        ],
    }
    with pytest.raises(ActionError):
        do_send_template(agent_a, ticket.pk, template.pk, ["only one"])


def test_it_maps_metas_window_error_to_a_permanent_failure(
    ticket: Ticket, agent_a: Any, fake_graph: FakeGraph
) -> None:
    fake_graph.fail(
        "messages", 400, 131047, "Re-engagement message", "More than 24 hours have passed"
    )
    with pytest.raises(DeliveryError) as refused:
        WhatsAppSender().send(do_reply(agent_a, ticket.pk, "سلام"))
    assert refused.value.permanent and "More than 24 hours have passed" in refused.value.reason


def test_it_answers_the_number_the_customer_wrote_from(
    ticket: Ticket, agent_a: Any, fake_graph: FakeGraph
) -> None:
    from helpdesk.actions.contacts import do_add_identity

    do_add_identity(None, ticket.contact_id, "phone", "+982188776655")  # their landline
    # Whatever the contact's numbers are now, the reply goes where the message came from.
    ContactIdentity.objects.filter(address=f"+{WA_ID}").delete()
    WhatsAppSender().send(do_reply(agent_a, ticket.pk, "سلام"))
    (sent,) = fake_graph.sent()
    assert sent["to"] == WA_ID
