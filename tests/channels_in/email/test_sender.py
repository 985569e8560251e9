from __future__ import annotations

import re
from email import message_from_bytes, policy
from typing import Any

import pytest
from django.test import Client

from channels_in.email.receive import process_raw
from helpdesk.actions.messages import OutgoingFile, do_reply
from helpdesk.models import DeliveryStatus, Message, Ticket
from helpdesk.tasks import deliver_message
from tests.channels_in.email.mails import simple

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.embedded]


@pytest.fixture
def ticket(mailbox: Any) -> Ticket:
    process_raw(mailbox.inbox, simple(subject="Invoice copy", message_id="<in-1@c.example>"))
    return Ticket.objects.get()


def _sent(recorder: Any, index: int = 0) -> Any:
    return message_from_bytes(recorder.received[index].data, policy=policy.default)


def test_it_sends_alternatives_and_attachments(ticket: Ticket, smtp: Any, agent_a: Any) -> None:
    files = (OutgoingFile("فاکتور.pdf", "application/pdf", b"%PDF-1.4 test"),)
    reply = do_reply(agent_a, ticket.pk, "Here it is.", files=files)
    assert deliver_message.call(reply.pk) == "sent"
    mail = _sent(smtp[0])
    assert mail["From"].addresses[0].display_name == "پشتیبانی Desk"
    plain = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert plain.startswith("Here it is.\n\n-- \nSee this request and answer it in the help")
    assert "Here it is." in mail.get_body(("html",)).get_content()
    attachment = next(mail.iter_attachments())
    assert attachment.get_filename() == "فاکتور.pdf"
    assert attachment.get_content() == b"%PDF-1.4 test"
    assert f"[#{ticket.pk}]" in mail["Subject"]


def test_it_marks_automatic_mail_and_caps_it_per_recipient(
    ticket: Ticket, smtp: Any, mailbox: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    mailbox.auto_reply_cap = 1
    mailbox.save()
    system = AnonymousUser()
    first = Message.objects.create(
        ticket=ticket,
        inbox=ticket.inbox,
        direction="outbound",
        author_kind="system",
        text="We got your mail.",
        delivery_status="queued",
        created_at=ticket.created_at,
    )
    assert deliver_message.call(first.pk) == "sent"
    assert _sent(smtp[0])["Auto-Submitted"] == "auto-replied"
    assert "/portal/" not in _sent(smtp[0]).get_body(("plain",)).get_content()  # agents' only
    second = Message.objects.create(
        ticket=ticket,
        inbox=ticket.inbox,
        direction="outbound",
        author_kind="system",
        text="We got your mail.",
        delivery_status="queued",
        created_at=ticket.created_at,
    )
    assert deliver_message.call(second.pk) == "failed"
    second.refresh_from_db()
    assert "automatic mails in 24 hours" in second.delivery_error
    assert len(smtp[0].received) == 1
    assert system is not None


def test_it_fails_permanently_with_the_servers_words(
    ticket: Ticket, smtp: Any, agent_a: Any
) -> None:
    smtp[0].rcpt_reply = "550 5.1.1 <customer@example.com>: mailbox unavailable"
    reply = do_reply(agent_a, ticket.pk, "Hello?")
    assert deliver_message.call(reply.pk) == "failed"
    reply.refresh_from_db()
    assert reply.delivery_status == "failed"
    assert "550 5.1.1 <customer@example.com>: mailbox unavailable" in reply.delivery_error


def test_it_retries_a_temporary_refusal(ticket: Ticket, smtp: Any, agent_a: Any) -> None:
    smtp[0].data_reply = "451 4.3.0 try again later"
    reply = do_reply(agent_a, ticket.pk, "Hello?")
    assert deliver_message.call(reply.pk).startswith("retry in")
    reply.refresh_from_db()
    assert reply.delivery_status == "queued"
    assert "451 4.3.0 try again later" in reply.delivery_error


def test_it_reports_an_unreachable_server_as_temporary(
    ticket: Ticket, mailbox: Any, agent_a: Any
) -> None:
    from tests.net import free_port

    mailbox.smtp_port = free_port()  # nothing listens there
    mailbox.save()
    reply = do_reply(agent_a, ticket.pk, "Hello?")
    assert deliver_message.call(reply.pk).startswith("retry in")
    reply.refresh_from_db()
    assert "refused the connection" in reply.delivery_error


def test_it_refuses_an_inbox_without_smtp_settings(email_inbox_b: Any, team_b: Any) -> None:
    from tests.factories import make_user

    process_raw(email_inbox_b, simple(message_id="<nosmtp@x>"))
    ticket = Ticket.objects.get()
    reply = do_reply(make_user("bea", teams=[team_b]), ticket.pk, "Hi")
    assert deliver_message.call(reply.pk) == "not connected"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.NOT_CONNECTED
    assert "no SMTP server" in reply.delivery_error


def test_it_ends_an_agents_reply_with_a_signed_link_to_the_ticket(
    ticket: Ticket, smtp: Any, agent_a: Any, settings: Any
) -> None:
    """The portal's TicketLinker, through the channel registry: in the ticket's language,
    it signs the customer in and opens that ticket; nobody else's."""
    settings.PUBLIC_BASE_URL = "https://desk.example"
    ticket.contact.language = "fa"
    ticket.contact.save(update_fields=["language"])
    reply = do_reply(agent_a, ticket.pk, "فاکتور پیوست شد.")
    assert deliver_message.call(reply.pk) == "sent"
    mail = _sent(smtp[0])
    plain = mail.get_body(("plain",)).get_content()
    assert "این درخواست را در مرکز راهنما ببینید و پاسخ دهید:" in plain
    found = re.search(r"https://desk\.example(/portal/fa/open/[^/\s]+/)", plain)
    assert found, plain
    assert f'<a href="{found.group(0)}">' in mail.get_body(("html",)).get_content()
    customer = Client()
    opened = customer.get(found.group(1))
    assert opened.status_code == 302
    assert opened["Location"] == f"/portal/fa/requests/{ticket.pk}/"
    page = customer.get(opened["Location"])
    assert page.status_code == 200 and "فاکتور پیوست شد." in page.content.decode()
    forged = found.group(1).replace("/open/", "/open/x")
    assert Client().get(forged).status_code == 410


def test_it_adds_no_link_without_a_public_address(
    ticket: Ticket, smtp: Any, agent_a: Any, settings: Any
) -> None:
    settings.PUBLIC_BASE_URL = ""  # a link relative to nothing opens nothing in a mail client
    reply = do_reply(agent_a, ticket.pk, "Here it is.")
    assert deliver_message.call(reply.pk) == "sent"
    plain = _sent(smtp[0]).get_body(("plain",)).get_content()
    assert plain.strip() == "Here it is."
