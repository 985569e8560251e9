"""The webhook over real HTTP: Daphne serves the desk, the test plays Telegram."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from channels_in.telegram.links import make_payload
from channels_in.telegram.models import TelegramChat, TelegramConfig
from helpdesk.ingest import receive
from helpdesk.models import Contact, ContactIdentity, Message, Ticket, TicketEvent
from tests.channels_in.telegram.conftest import load_update, run_tasks
from tests.channels_in.telegram.fake_bot_api import FakeBotApi
from tests.factories import inbound
from tests.live import ThreadDesk

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

Post = Callable[..., httpx.Response]
USER = "111222333"


def test_it_opens_a_ticket_for_a_text_message(post_update: Post) -> None:
    response = post_update(load_update("text_message"))
    assert response.status_code == 200
    message = Message.objects.get()
    assert message.text == "Hello, my order #1042 has not arrived yet."
    assert message.external_id == "111222333:11"
    assert message.ticket.subject == message.text
    identity = ContactIdentity.objects.get(kind="telegram")
    assert identity.address == USER and identity.contact.name == "Reza Karimi"
    assert identity.contact.language == "fa"
    chat = TelegramChat.objects.get()
    assert (chat.chat_id, chat.username) == (111222333, "reza_k")


def test_it_keeps_telegram_formatting_as_safe_html(post_update: Post) -> None:
    assert post_update(load_update("formatted_text")).status_code == 200
    html = Message.objects.get().html
    assert "<b>Please</b>" in html and "<i>order 1042</i>" in html
    assert 'href="https://example.com/orders/1042"' in html
    assert "&lt;now&gt;" in html and "<now>" not in html


def test_it_stores_persian_text(post_update: Post) -> None:
    assert post_update(load_update("persian_text")).status_code == 200
    message = Message.objects.get()
    assert message.text == "سلام، سفارش من هنوز نرسیده است. لطفاً پیگیری کنید."
    assert message.ticket.subject.startswith("سلام")


def test_it_downloads_a_photo_after_answering(post_update: Post, fake_api: FakeBotApi) -> None:
    fake_api.add_file("AgACAgQAAxkBAAIBlarge", b"\xff\xd8large-jpeg", "photos/file_7.jpg")
    assert post_update(load_update("photo")).status_code == 200
    message = Message.objects.get()
    assert message.text == "The box arrived damaged"
    assert not message.attachments.exists()  # the webhook answered before downloading
    run_tasks()
    attachment = message.attachments.get()
    assert attachment.name == "photo_14.jpg" and attachment.content_type == "image/jpeg"
    assert attachment.file.read() == b"\xff\xd8large-jpeg"
    assert [c.params["file_id"] for c in fake_api.calls_to("getFile")] == ["AgACAgQAAxkBAAIBlarge"]
    assert TicketEvent.objects.filter(type="message.updated").count() == 1


def test_it_attaches_a_document(post_update: Post, fake_api: FakeBotApi) -> None:
    fake_api.add_file("BQACAgQAAxkBAAIBdoc", b"%PDF-1.7 invoice", "documents/file_9.pdf")
    assert post_update(load_update("document")).status_code == 200
    run_tasks()
    message = Message.objects.get()
    attachment = message.attachments.get()
    assert (attachment.name, attachment.content_type) == ("invoice-1042.pdf", "application/pdf")
    assert message.text == "[document]"


def test_it_notes_a_file_too_large_to_download(post_update: Post, fake_api: FakeBotApi) -> None:
    assert post_update(load_update("large_video")).status_code == 200
    run_tasks()
    message = Message.objects.get()
    assert "unboxing.mp4 (35.0 MB) is too large" in message.text
    assert "20.0 MB" in message.text
    assert not message.attachments.exists() and not fake_api.calls_to("getFile")


def test_it_notes_a_file_over_our_limit_found_by_getfile(
    post_update: Post, fake_api: FakeBotApi, settings: Any
) -> None:
    settings.HELPDESK_ATTACHMENT_MAX_BYTES = 1000
    fake_api.add_file("AwACAgQAAxkBAAIBvoice", b"x" * 5000, "voice/file_3.oga")
    update = load_update("voice")
    del update["message"]["voice"]["file_size"]  # Telegram may omit the size
    assert post_update(update).status_code == 200
    run_tasks()
    message = Message.objects.get()
    assert "[file not downloaded: voice_16.ogg" in message.text
    assert "this desk accepts attachments up to" in message.text
    assert not message.attachments.exists()


def test_it_stores_the_same_update_once(post_update: Post) -> None:
    update = load_update("text_message")
    answers = [post_update(update).status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    assert Message.objects.count() == 1 and Ticket.objects.count() == 1


def test_it_refuses_a_wrong_or_missing_secret(post_update: Post) -> None:
    assert post_update(load_update("text_message"), secret="wrong").status_code == 403
    assert post_update(load_update("text_message"), secret="").status_code == 403
    assert not Message.objects.exists() and not Contact.objects.exists()
    assert not TelegramChat.objects.exists()


def test_it_refuses_an_unknown_inbox(live_desk: ThreadDesk, bot_config: TelegramConfig) -> None:
    url = f"{live_desk.url}/channels/telegram/{bot_config.inbox_id + 999}/webhook/"
    headers = {"X-Telegram-Bot-Api-Secret-Token": bot_config.webhook_secret}
    response = httpx.post(url, json=load_update("text_message"), headers=headers, timeout=30)
    assert response.status_code == 403 and not Message.objects.exists()


def test_it_answers_malformed_json_with_400(post_update: Post) -> None:
    response = post_update(None, raw=b'{"update_id": 1, "message": ')
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["error"]
    not_update = post_update({"hello": "world"})
    assert not_update.status_code == 400 and "not a Telegram update" in not_update.json()["error"]
    assert not Message.objects.exists()


def test_it_marks_an_edited_message(post_update: Post) -> None:
    post_update(load_update("text_message"))
    assert post_update(load_update("edited_message")).status_code == 200
    post_update(load_update("edited_message"))  # redelivered: still one change
    message = Message.objects.get()
    assert message.text.endswith("It is urgent!")
    assert message.channel_meta["edited"] is True
    assert TicketEvent.objects.filter(type="message.updated").count() == 1


def test_it_links_a_chat_to_a_ticket_by_deep_link(
    post_update: Post, bot_config: TelegramConfig, email_inbox_a: Any
) -> None:
    first = receive(inbound(email_inbox_a, sender="reza@example.com", subject="Order 1042"))
    payload = make_payload(bot_config.inbox_id, ticket_id=first.ticket.pk)
    start = load_update("start_deep_link", text=f"/start {payload}")
    assert post_update(start).status_code == 200
    identity = ContactIdentity.objects.get(kind="telegram", address=USER)
    assert identity.contact_id == first.ticket.contact_id
    post_update(load_update("text_message"))
    message = Message.objects.get(external_id="111222333:11")
    assert message.ticket_id == first.ticket.pk
    assert Contact.objects.count() == 1


def test_it_links_a_known_chat_to_a_contact_by_deep_link(
    post_update: Post, bot_config: TelegramConfig, email_inbox_a: Any
) -> None:
    post_update(load_update("text_message"))  # the chat first made its own contact
    known = receive(inbound(email_inbox_a, sender="reza@example.com")).ticket.contact
    payload = make_payload(bot_config.inbox_id, contact_id=known.pk)
    post_update(load_update("start_deep_link", text=f"/start {payload}"))
    identity = ContactIdentity.objects.get(kind="telegram", address=USER)
    assert identity.contact_id == known.pk


def test_it_ignores_a_forged_deep_link(post_update: Post, email_inbox_a: Any) -> None:
    known = receive(inbound(email_inbox_a, sender="reza@example.com")).ticket.contact
    forged = f"c{known.pk}_AAAAAAAAAAAAAAAAAAAAAA"
    assert post_update(load_update("start_deep_link", text=f"/start {forged}")).status_code == 200
    assert not ContactIdentity.objects.filter(kind="telegram").exists()


def test_it_welcomes_a_new_chat_once(post_update: Post, fake_api: FakeBotApi) -> None:
    for _ in range(2):
        post_update(load_update("start_plain"))
    run_tasks()
    sent = fake_api.calls_to("sendMessage")
    assert [c.params["text"] for c in sent] == ["Welcome! خوش آمدید"]
    assert not Message.objects.exists()


def test_it_adds_a_shared_phone_number_to_the_contact(post_update: Post) -> None:
    assert post_update(load_update("shared_contact")).status_code == 200
    message = Message.objects.get()
    assert "[shared contact] Reza Karimi 989121234567" in message.text
    phone = ContactIdentity.objects.get(kind="phone")
    assert phone.address == "+989121234567"
    assert phone.contact_id == message.author_contact_id


def test_it_describes_a_location_and_a_sticker(post_update: Post, fake_api: FakeBotApi) -> None:
    fake_api.add_file("CAACAgIAAxkBAAIBsticker", b"RIFFwebp", "stickers/file_1.webp")
    post_update(load_update("location"))
    post_update(load_update("sticker"))
    run_tasks()
    location, sticker = Message.objects.order_by("id")
    assert location.text.startswith("[location] 35.699739, 51.338097")
    assert "openstreetmap.org" in location.text
    assert sticker.text == "[sticker 👍]"
    assert sticker.attachments.get().content_type == "image/webp"


def test_it_ignores_groups_and_channel_posts(
    post_update: Post, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="channels_in.telegram")
    assert post_update(load_update("group_message")).status_code == 200
    assert post_update(load_update("channel_post")).status_code == 200
    assert not Message.objects.exists() and not Contact.objects.exists()
    assert "supergroup chat" in caplog.text and "channel post" in caplog.text


def test_it_marks_a_customer_who_blocked_the_bot(post_update: Post) -> None:
    post_update(load_update("text_message"))
    post_update(load_update("my_chat_member_kicked"))
    identity = ContactIdentity.objects.get(kind="telegram")
    assert identity.unreachable_reason == "blocked the bot on Telegram"
    post_update(load_update("persian_text"))  # writing again makes them reachable
    identity.refresh_from_db()
    assert identity.unreachable_reason == ""
