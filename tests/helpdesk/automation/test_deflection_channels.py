"""Deflection end to end, in Persian, over email and Telegram.

A customer asks (typed on an Arabic keyboard) how to recover a password; the
inbox answers by itself with the matching public article and a signed "this
solved it" link. The answer is delivered by the real django-tasks-db worker to a
real SMTP server (aiosmtpd) or to a fake Bot API on loopback. Following the link
resolves the ticket as deflected; replying keeps it with a person; mail written
by a machine gets no answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client

from channels_in.email.models import MailboxConfig, TlsMode
from channels_in.email.receive import Outcome, process_raw
from channels_in.telegram.models import Mode, TelegramConfig
from helpdesk.models import (
    AuthorKind,
    DeliveryStatus,
    Inbox,
    InboxAutomation,
    Message,
    Rule,
    Ticket,
    TicketStatus,
)
from knowledge_base.models import Article
from knowledge_base.services import save_article
from tests.channels_in.email.mails import simple
from tests.channels_in.email.servers import SmtpRecorder, start_smtp
from tests.channels_in.telegram.conftest import TOKEN, load_update, run_tasks
from tests.channels_in.telegram.fake_bot_api import FakeBotApi, running_fake_api

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]

# Typed on an Arabic keyboard: ي and ك where Persian has ی and ک.
QUESTION = "سلام، كلمه عبورم يادم رفته و نمي‌توانم وارد شوم. چطور بازيابي كنم؟"
SUBJECT = "بازيابي كلمه عبور"
TITLE = "بازیابی کلمه عبور"
INTRO = "این مقاله‌ها شاید کمک کنند:"
SOLVED = re.compile(r"مشکل حل شد؟ اینجا بزنید: (\S+)")
CUSTOMER = "maryam@example.ir"
TELEGRAM_USER = 111222333


# --- data -------------------------------------------------------------------------------


@pytest.fixture
def article(db: None) -> Article:
    """The public Persian article that answers the question, among others that must not show."""
    others = [
        {"title": "پیگیری سفارش ارسال‌شده", "body": "کد رهگیری پستی در صفحهٔ سفارش‌ها هست."},
        {"title": "بازیابی کلمه عبور سامانه داخلی", "visibility": "internal"},
        {"title": "بازیابی کلمه عبور (پیش‌نویس)", "status": "draft"},
    ]
    for fields in others:
        save_article(Article(**({"locale": "fa", "status": "published"} | fields)))
    return save_article(
        Article(
            title=TITLE,
            summary="اگر کلمه عبور را فراموش کرده‌اید",
            body="روی «فراموشی کلمه عبور» بزنید و پیوندی که برایتان فرستاده می‌شود را باز کنید.",
            locale="fa",
            status="published",
        )
    )


def deflecting(inbox: Inbox) -> InboxAutomation:
    return InboxAutomation.objects.create(inbox=inbox, suggest_articles=True)


def automatic(ticket: Ticket) -> list[Message]:
    return list(Message.objects.filter(ticket=ticket, author_kind=AuthorKind.SYSTEM))


def solved_link(text: str) -> str:
    match = SOLVED.search(text)
    assert match is not None, text
    return match.group(1)


def check_article_listed(text: str, article: Article) -> None:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    assert INTRO in text
    assert f"• {TITLE}: {base}{article.get_absolute_url()}" in text
    assert "سامانه داخلی" not in text and "پیش‌نویس" not in text and "سفارش" not in text
    assert solved_link(text).startswith(f"{base}/automation/solved/")
    assert "اگر نه، پاسخ دهید تا همکاران ما پیگیری کنند." in text


def confirm_solved(link: str, ticket: Ticket) -> None:
    """The customer's browser: GET shows the question, POST (with CSRF) says yes."""
    path = urlsplit(link).path
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'lang="fa"' in html and 'dir="rtl"' in html and page["Content-Language"] == "fa"
    assert "آیا این مقاله مشکل شما را حل کرد؟" in html
    # A mail scanner that follows the link changes nothing.
    ticket.refresh_from_db()
    assert ticket.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
    assert "deflected" not in ticket.tags
    assert browser.post(path).status_code == 403  # no CSRF token: refused
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None
    done = browser.post(path, {"csrfmiddlewaretoken": token.group(1)})
    assert done.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and "deflected" in ticket.tags
    assert "خوشحالیم که کمک کرد!" in done.content.decode()


# --- email ------------------------------------------------------------------------------


@pytest.fixture
def smtp_server() -> Iterator[tuple[SmtpRecorder, int]]:
    controller, recorder, port = start_smtp()
    yield recorder, port
    controller.stop()


@pytest.fixture
def smtp(smtp_server: tuple[SmtpRecorder, int]) -> SmtpRecorder:
    """What the customer's mail server received from the desk."""
    return smtp_server[0]


@pytest.fixture
def email_inbox(email_inbox_a: Inbox, smtp_server: tuple[SmtpRecorder, int]) -> Inbox:
    MailboxConfig.objects.create(
        inbox=email_inbox_a,
        smtp_host="127.0.0.1",
        smtp_port=smtp_server[1],
        smtp_tls=TlsMode.NONE,
        from_address="support@desk.example",
        from_name="پشتیبانی Desk",
        timeout=10,
    )
    deflecting(email_inbox_a)
    return email_inbox_a


def customer_mail(inbox: Inbox, **fields: Any) -> Ticket:
    fields.setdefault("sender", f"مریم رضایی <{CUSTOMER}>")
    fields.setdefault("subject", SUBJECT)
    fields.setdefault("text", QUESTION)
    processed = process_raw(inbox, simple(**fields))
    assert processed.outcome == Outcome.IMPORTED and processed.message_id is not None
    return Message.objects.get(pk=processed.message_id).ticket


def sent_mails(smtp: SmtpRecorder) -> list[EmailMessage]:
    return [message_from_bytes(r.data, policy=policy.default) for r in smtp.received]


def ask_by_mail(inbox: Inbox, smtp: SmtpRecorder) -> tuple[Ticket, EmailMessage]:
    ticket = customer_mail(inbox, message_id="<question-1@example.ir>")
    [answer] = automatic(ticket)
    assert answer.channel_meta == {"automatic": True, "reason": "articles"}
    assert smtp.received == []  # delivery is the worker's job, after commit
    run_tasks()
    [mail] = sent_mails(smtp)
    answer.refresh_from_db()
    assert answer.delivery_status == DeliveryStatus.SENT
    assert answer.external_id == mail["Message-ID"]
    return ticket, mail


def test_it_mails_the_matching_article_and_resolves_from_the_solved_link(
    email_inbox: Inbox, smtp: SmtpRecorder, article: Article
) -> None:
    ticket, mail = ask_by_mail(email_inbox, smtp)
    assert smtp.received[0].rcpt_tos == [CUSTOMER]
    assert mail["To"] == CUSTOMER and mail["Auto-Submitted"] == "auto-replied"
    assert mail["In-Reply-To"] == "<question-1@example.ir>"
    assert mail["Subject"] == f"Re: {SUBJECT} [#{ticket.pk}]"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    check_article_listed(text, article)
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert TITLE in html and solved_link(text).replace("&", "&amp;") in html
    # The article link opens the article on the public portal.
    portal = Client().get(urlsplit(article_url(text)).path)
    assert portal.status_code == 200 and TITLE in portal.content.decode()
    confirm_solved(solved_link(text), ticket)


def article_url(text: str) -> str:
    match = re.search(rf"• {TITLE}: (\S+)", text)
    assert match is not None
    return match.group(1)


def test_it_keeps_the_ticket_with_a_person_when_the_customer_replies(
    email_inbox: Inbox, smtp: SmtpRecorder, article: Article
) -> None:
    ticket, mail = ask_by_mail(email_inbox, smtp)
    reply = customer_mail(
        email_inbox,
        subject=str(mail["Subject"]),
        text="این راهنما کمکی نکرد؛ پیوند بازیابی به دستم نمی‌رسد.",
        message_id="<reply-1@example.ir>",
        headers={
            "In-Reply-To": str(mail["Message-ID"]),
            "References": f"<question-1@example.ir> {mail['Message-ID']}",
        },
    )
    assert reply.pk == ticket.pk and Ticket.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.status in TicketStatus.active() and ticket.status != TicketStatus.RESOLVED
    assert "deflected" not in ticket.tags
    assert len(automatic(ticket)) == 1  # articles are offered once, on the new ticket
    run_tasks()
    assert len(smtp.received) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "auto_reply", "X-Autoreply": "yes"},
    ],
)
def test_it_never_answers_a_machine_written_mail(
    email_inbox: Inbox, smtp: SmtpRecorder, article: Article, headers: dict[str, str]
) -> None:
    # A rule that would also send articles must be held back by the same protection.
    Rule.objects.create(
        name="articles", trigger="customer_message", actions=[{"type": "send_articles"}]
    )
    ticket = customer_mail(
        email_inbox,
        subject=f"پاسخ خودکار: {SUBJECT}",
        text=f"در مرخصی هستم.\n\n> {QUESTION}",
        headers=headers,
    )
    [inbound] = Message.objects.filter(ticket=ticket)
    assert inbound.channel_meta["auto_generated"] is True
    assert automatic(ticket) == []
    run_tasks()
    assert smtp.received == []


def test_it_does_not_answer_an_out_of_office_to_the_articles_mail(
    email_inbox: Inbox, smtp: SmtpRecorder, article: Article
) -> None:
    # Articles on every customer message (a rule), so the out-of-office would be answered
    # if loop protection did not hold it back.
    InboxAutomation.objects.filter(inbox=email_inbox).update(suggest_articles=False)
    Rule.objects.create(
        name="articles", trigger="customer_message", actions=[{"type": "send_articles"}]
    )
    ticket = customer_mail(email_inbox, message_id="<question-2@example.ir>")
    run_tasks()
    [mail] = sent_mails(smtp)
    out_of_office = customer_mail(
        email_inbox,
        subject=f"Automatic reply: {mail['Subject']}",
        text=f"تا شنبه در مرخصی هستم. {QUESTION}",
        headers={"Auto-Submitted": "auto-replied", "In-Reply-To": str(mail["Message-ID"])},
    )
    assert out_of_office.pk == ticket.pk
    assert len(automatic(ticket)) == 1
    run_tasks()
    assert len(smtp.received) == 1


def test_a_customer_message_gets_one_articles_answer_from_inbox_and_rule_together(
    email_inbox: Inbox, smtp: SmtpRecorder, article: Article
) -> None:
    # The inbox answers new tickets with articles, and a rule sends articles too.
    Rule.objects.create(
        name="articles", trigger="customer_message", actions=[{"type": "send_articles"}]
    )
    ticket = customer_mail(email_inbox, message_id="<question-3@example.ir>")
    assert [m.channel_meta["reason"] for m in automatic(ticket)] == ["articles"]
    run_tasks()
    assert len(smtp.received) == 1
    customer_mail(email_inbox, headers={"In-Reply-To": "<question-3@example.ir>"})
    assert len(automatic(ticket)) == 2  # asked again: answered again


# --- Telegram ---------------------------------------------------------------------------


@pytest.fixture
def fake_api(settings: Any) -> Iterator[FakeBotApi]:
    with running_fake_api(TOKEN) as api:
        settings.TELEGRAM_API_URL = api.url
        yield api


@pytest.fixture
def bot(telegram_inbox_a: Inbox, fake_api: FakeBotApi) -> TelegramConfig:
    deflecting(telegram_inbox_a)
    return TelegramConfig.objects.create(
        inbox=telegram_inbox_a,
        bot_token=TOKEN,
        bot_username="desk_support_bot",
        bot_name="Desk Support",
        mode=Mode.WEBHOOK,
    )


def post_update(bot: TelegramConfig, update: dict[str, Any]) -> dict[str, Any]:
    """Telegram calling the desk's webhook with its secret header."""
    response = Client().post(
        f"/channels/telegram/{bot.inbox_id}/webhook/",
        json.dumps(update),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": bot.webhook_secret},
    )
    assert response.status_code == 200
    return dict(response.json())


def ask_on_telegram(bot: TelegramConfig, fake_api: FakeBotApi) -> tuple[Ticket, str]:
    assert post_update(bot, load_update("persian_text", text=QUESTION))["outcome"] == "stored"
    ticket = Ticket.objects.get()
    assert ticket.contact.language == "fa"
    [answer] = automatic(ticket)
    assert fake_api.calls_to("sendMessage") == []
    run_tasks()
    [call] = fake_api.calls_to("sendMessage")
    assert int(call.params["chat_id"]) == TELEGRAM_USER
    answer.refresh_from_db()
    assert answer.delivery_status == DeliveryStatus.SENT
    return ticket, str(call.params["text"])


def test_it_answers_on_telegram_with_the_article_and_the_solved_link(
    bot: TelegramConfig, fake_api: FakeBotApi, article: Article
) -> None:
    ticket, text = ask_on_telegram(bot, fake_api)
    check_article_listed(text, article)
    confirm_solved(solved_link(text), ticket)


def test_it_keeps_a_telegram_ticket_with_a_person_when_the_customer_writes_on(
    bot: TelegramConfig, fake_api: FakeBotApi, article: Article
) -> None:
    ticket, _text = ask_on_telegram(bot, fake_api)
    follow_up = load_update("persian_text", message_id=14, text="این کمکی نکرد، لطفاً تماس بگیرید.")
    follow_up["update_id"] += 1
    assert post_update(bot, follow_up)["outcome"] == "stored"
    assert Ticket.objects.count() == 1
    ticket.refresh_from_db()
    assert ticket.status in TicketStatus.active() and "deflected" not in ticket.tags
    assert Message.objects.filter(ticket=ticket, direction="inbound").count() == 2
    assert len(automatic(ticket)) == 1
    run_tasks()
    assert len(fake_api.calls_to("sendMessage")) == 1
