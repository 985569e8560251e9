"""WhatsApp's webhook: verification, the signature on every POST, strict bodies, messages
once each, media after the answer, statuses in any order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from channels_in.whatsapp.models import MessageStatus, SentPart, WhatsAppConfig
from helpdesk.models import ContactIdentity, DeliveryStatus, Direction, Message, TicketEvent
from tests import factories
from tests.channels_in.whatsapp.conftest import (
    VERIFY,
    envelope,
    message,
    post,
    run_tasks,
    sign,
    status,
    text_message,
)
from tests.channels_in.whatsapp.fake_graph import FakeGraph

pytestmark = [pytest.mark.django_db]


def _verify(**params: str) -> Any:
    return Client().get("/channels/whatsapp/webhook/", params)


def test_it_answers_metas_verification_only_with_the_right_token(wa_config: WhatsAppConfig) -> None:
    ok = _verify(
        **{"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = _verify(**{"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert wrong.status_code == 403
    other_mode = _verify(
        **{"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"}
    )
    assert other_mode.status_code == 403


@pytest.mark.embedded  # also on SQLite, what the run command serves
def test_it_stores_a_persian_text_on_the_customers_phone_identity(
    wa_config: WhatsAppConfig,
) -> None:
    body = envelope(messages=[text_message("سلام، سفارش ۱۰۴۲ من کجاست؟", id="wamid.A1")])
    response = post(body)
    assert response.status_code == 200 and response.json()["stored"] == 1
    stored = Message.objects.get()
    assert stored.text == "سلام، سفارش ۱۰۴۲ من کجاست؟" and stored.external_id == "wamid.A1"
    identity = ContactIdentity.objects.get(kind="phone")
    assert identity.address == "+989121234567" and identity.contact.name == "زهرا رضایی"


@pytest.mark.embedded  # also on SQLite, what the run command serves
def test_it_refuses_every_post_without_the_app_secrets_signature(wa_config: WhatsAppConfig) -> None:
    body = json.dumps(envelope(messages=[text_message()])).encode()
    assert post(body, signature="").status_code == 403
    assert post(body, signature="sha256=" + "0" * 64).status_code == 403
    assert post(body, secret="another-apps-secret").status_code == 403
    assert post(body, signature=sign(body + b" ")).status_code == 403  # another body's
    assert post(body, signature=sign(body).upper()).status_code == 403
    assert not Message.objects.exists()


def test_another_apps_secret_cannot_speak_for_this_number(
    wa_config: WhatsAppConfig, team_b: Any
) -> None:
    WhatsAppConfig.objects.create(
        inbox=factories.make_inbox(team_b, "whatsapp"),
        phone_number_id="999000111222333",
        access_token="t",
        app_secret="the-other-apps-secret",
    )
    forged = envelope(messages=[text_message()])  # for wa_config's number
    assert post(forged, secret="the-other-apps-secret").json()["stored"] == 0
    assert not Message.objects.exists()


def test_it_stores_a_redelivered_message_once(wa_config: WhatsAppConfig) -> None:
    body = envelope(messages=[text_message(id="wamid.TWICE")])
    assert post(body).json()["stored"] == 1
    assert post(body).json() == {"ok": True, "stored": 0, "duplicate": 1, "statuses": 0}
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[]",
        json.dumps({"object": "page", "entry": []}).encode(),
        json.dumps(envelope(messages=[{"from": "9891", "id": "x", "type": "text"}])).encode(),
        json.dumps(envelope(messages=[text_message(timestamp=1764700000)])).encode(),
        json.dumps(envelope(messages=[text_message(**{"from": "+98 912"})])).encode(),
        b'{"object": "whatsapp_business_account", "entry": [{"id": 1e999}]}',
    ],
)
def test_it_answers_400_to_a_bad_signed_body(wa_config: WhatsAppConfig, raw: bytes) -> None:
    response = post(raw)
    assert response.status_code == 400 and response.json()["error"]
    assert not Message.objects.exists()


def test_it_writes_a_location_as_text(wa_config: WhatsAppConfig) -> None:
    where = {"latitude": 35.7, "longitude": 51.4, "name": "دفتر مرکزی", "address": "تهران"}
    post(envelope(messages=[message("location", location=where)]))
    assert Message.objects.get().text.startswith(
        "[location] دفتر مرکزی, تهران 35.700000, 51.400000"
    )


@pytest.mark.django_db(transaction=True)
def test_it_downloads_image_document_and_audio_after_answering(
    wa_config: WhatsAppConfig, fake_graph: FakeGraph
) -> None:
    fake_graph.add_media("m-img", "image/jpeg", b"\xff\xd8jpeg")
    fake_graph.add_media("m-doc", "application/pdf", b"%PDF-1.7 factor")
    fake_graph.add_media("m-ogg", "audio/ogg; codecs=opus", b"OggS voice")
    body = envelope(
        messages=[
            message(
                "image", image={"id": "m-img", "mime_type": "image/jpeg", "caption": "جعبه خراب"}
            ),
            message(
                "document",
                document={"id": "m-doc", "mime_type": "application/pdf", "filename": "فاکتور.pdf"},
            ),
            message(
                "audio", audio={"id": "m-ogg", "mime_type": "audio/ogg; codecs=opus", "voice": True}
            ),
        ]
    )
    assert post(body).json()["stored"] == 3
    assert not Message.objects.filter(attachments__isnull=False).exists()
    run_tasks()
    files = {
        m.text: [(a.name, a.content_type, a.file.read()) for a in m.attachments.all()]
        for m in Message.objects.all()
    }
    ((name, content_type, data),) = files["جعبه خراب"]
    assert name.startswith("image_") and name.endswith(".jpeg")
    assert (content_type, data) == ("image/jpeg", b"\xff\xd8jpeg")
    assert files["[document]"] == [("فاکتور.pdf", "application/pdf", b"%PDF-1.7 factor")]
    assert files["[audio]"][0][1:] == ("audio/ogg", b"OggS voice")


def _sent_message(wa_config: WhatsAppConfig, wamid: str) -> Message:
    post(envelope(messages=[text_message()]))
    inbound = Message.objects.get()
    outbound = Message.objects.create(
        ticket=inbound.ticket,
        inbox_id=inbound.inbox_id,
        direction=Direction.OUTBOUND,
        text="پاسخ",
        delivery_status=DeliveryStatus.SENT,
        created_at=inbound.created_at,
    )
    SentPart.objects.create(message=outbound, index=0, wamid=wamid)
    return outbound


@pytest.mark.embedded  # also on SQLite, what the run command serves
def test_it_records_statuses_once_each_in_any_order(wa_config: WhatsAppConfig) -> None:
    sent = _sent_message(wa_config, "wamid.OUT1")
    body = envelope(
        statuses=[status("wamid.OUT1", "read", 30), status("wamid.OUT1", "delivered", 20)]
    )
    assert post(body).json()["statuses"] == 2
    assert post(envelope(statuses=[status("wamid.OUT1", "delivered", 20)])).json()["statuses"] == 0
    assert post(envelope(statuses=[status("wamid.OUT1", "sent", 10)])).json()["statuses"] == 1
    recorded = dict(MessageStatus.objects.filter(message=sent).values_list("status", "at"))
    assert set(recorded) == {"sent", "delivered", "read"}
    assert recorded["read"].timestamp() == 30 and recorded["sent"].timestamp() == 10
    frames = TicketEvent.objects.filter(type="whatsapp.status").values_list("payload", flat=True)
    assert sorted(f["status"] for f in frames) == ["delivered", "read", "sent"]
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.SENT


def test_a_failed_status_fails_the_message_with_whatsapps_words(wa_config: WhatsAppConfig) -> None:
    sent = _sent_message(wa_config, "wamid.OUT2")
    error = {
        "code": 131026,
        "title": "Message undeliverable",
        "error_data": {"details": "The recipient is not a WhatsApp user"},
    }
    post(envelope(statuses=[status("wamid.OUT2", "failed", errors=[error])]))
    sent.refresh_from_db()
    assert sent.delivery_status == DeliveryStatus.FAILED
    assert (
        "131026 Message undeliverable The recipient is not a WhatsApp user" in sent.delivery_error
    )


def test_it_ignores_a_status_of_a_message_it_did_not_send(wa_config: WhatsAppConfig) -> None:
    assert post(envelope(statuses=[status("wamid.UNKNOWN", "read")])).json()["statuses"] == 0


def test_a_number_without_an_app_secret_accepts_nothing(wa_config: WhatsAppConfig) -> None:
    WhatsAppConfig.objects.filter(pk=wa_config.pk).update(app_secret="")
    assert post(envelope(messages=[text_message()]), secret="").status_code == 403
    assert not Message.objects.exists()
