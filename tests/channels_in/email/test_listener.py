from __future__ import annotations

from typing import Any

import pytest

from channels_in.email.models import MailboxState
from helpdesk.models import Message, Ticket, TicketEvent
from tests.channels_in.email.conftest import wait_for
from tests.channels_in.email.mails import simple

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_it_turns_an_appended_mail_into_a_ticket_via_idle(
    mailbox: Any, dovecot: Any, run_listener: Any
) -> None:
    run_listener()
    client = dovecot.client()
    client.select_folder(mailbox.imap_folder)
    # Wait until the listener has caught up and sits in IDLE, then deliver.
    wait_for(lambda: MailboxState.objects.filter(config=mailbox).exists())
    client.append(mailbox.imap_folder, simple(subject="سفارش من کجاست؟", message_id="<idle-1@x>"))
    message = wait_for(lambda: Message.objects.filter(external_id="<idle-1@x>").first())
    assert message.ticket.subject == "سفارش من کجاست؟"
    assert TicketEvent.objects.filter(ticket=message.ticket, type="ticket.created").exists()
    # Marked seen on the server only after the commit, and the UID remembered.
    wait_for(lambda: MailboxState.objects.get(config=mailbox).last_uid == 1)
    flags = client.get_flags([1])[1]
    assert b"\\Seen" in flags
    client.logout()
    assert Ticket.objects.count() == 1


def _append(dovecot: Any, folder: str, *mails: bytes) -> None:
    client = dovecot.client()
    for mail in mails:
        client.append(folder, mail)
    client.logout()


def test_it_round_trips_a_persian_conversation_with_threading_headers(
    mailbox: Any, dovecot: Any, smtp: Any, run_listener: Any, agent_a: Any
) -> None:
    from email import message_from_bytes, policy

    from helpdesk.actions.messages import do_reply
    from helpdesk.tasks import deliver_message
    from tests.channels_in.email.servers import SmtpRecorder

    recorder: SmtpRecorder = smtp[0]
    run_listener()
    first = simple(
        subject="مشکل در پرداخت",
        text="سلام، پرداخت من انجام نشد.",
        message_id="<fa-1@customer.example>",
    )
    _append(dovecot, mailbox.imap_folder, first)
    inbound = wait_for(
        lambda: Message.objects.filter(external_id="<fa-1@customer.example>").first()
    )
    ticket = inbound.ticket

    reply = do_reply(agent_a, ticket.pk, "سلام، لطفا دوباره امتحان کنید.")
    assert deliver_message.call(reply.pk) == "sent"
    sent = message_from_bytes(recorder.received[0].data, policy=policy.default)
    assert recorder.received[0].rcpt_tos == ["customer@example.com"]
    assert sent["In-Reply-To"] == "<fa-1@customer.example>"
    assert "<fa-1@customer.example>" in sent["References"]
    assert sent["Subject"] == f"Re: مشکل در پرداخت [#{ticket.pk}]"
    assert "Auto-Submitted" not in sent
    body = sent.get_body(("plain",))
    assert body is not None and "لطفا دوباره امتحان کنید" in body.get_content()
    html = sent.get_body(("html",))
    assert html is not None and 'dir="auto"' in html.get_content()
    reply.refresh_from_db()
    assert reply.delivery_status == "sent" and reply.external_id == sent["Message-ID"]

    answer = simple(
        subject=f"Re: {sent['Subject']}",
        text="ممنون، درست شد.",
        message_id="<fa-2@customer.example>",
        headers={
            "In-Reply-To": sent["Message-ID"],
            "References": f"<fa-1@customer.example> {sent['Message-ID']}",
        },
    )
    _append(dovecot, mailbox.imap_folder, answer)
    second = wait_for(lambda: Message.objects.filter(external_id="<fa-2@customer.example>").first())
    assert second.ticket_id == ticket.pk
    assert second.text == "ممنون، درست شد."
    assert Ticket.objects.count() == 1


def test_it_polls_when_idle_is_not_used_and_moves_after_import(
    mailbox: Any, dovecot: Any, run_listener: Any
) -> None:
    mailbox.poll_interval = 1
    mailbox.after_import = "move"
    mailbox.move_to_folder = mailbox.imap_folder + "-done"
    mailbox.save()
    _append(dovecot, mailbox.imap_folder, simple(message_id="<poll-1@x>"))
    run_listener(use_idle=False)
    wait_for(lambda: Message.objects.filter(external_id="<poll-1@x>").exists())
    _append(dovecot, mailbox.imap_folder, simple(message_id="<poll-2@x>"))
    wait_for(lambda: Message.objects.filter(external_id="<poll-2@x>").exists())
    client = dovecot.client()
    wait_for(lambda: client.select_folder(mailbox.imap_folder)[b"EXISTS"] == 0)
    assert client.select_folder(mailbox.move_to_folder)[b"EXISTS"] == 2
    client.logout()


def test_it_keeps_serving_other_mailboxes_when_one_fails(
    mailbox: Any, dovecot: Any, run_listener: Any, team_a: Any
) -> None:
    from channels_in.email.models import MailboxConfig
    from tests.factories import make_inbox

    broken = MailboxConfig.objects.create(
        inbox=make_inbox(team_a, "email", name="broken"),
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_tls="none",
        imap_user="desk",
        imap_password="wrong",
    )
    run_listener()
    _append(dovecot, mailbox.imap_folder, simple(message_id="<ok-1@x>"))
    wait_for(lambda: Message.objects.filter(external_id="<ok-1@x>").exists())
    state = wait_for(
        lambda: MailboxState.objects.filter(config=broken).exclude(last_error="").first()
    )
    assert "LoginError" in state.last_error
    assert "wrong" not in state.last_error  # the password never appears in an error
    _append(dovecot, mailbox.imap_folder, simple(message_id="<ok-2@x>"))
    wait_for(lambda: Message.objects.filter(external_id="<ok-2@x>").exists())


def test_it_rescans_without_duplicates_when_uidvalidity_changes(
    mailbox: Any, dovecot: Any, run_listener: Any
) -> None:
    _append(dovecot, mailbox.imap_folder, simple(message_id="<uv-1@x>"))
    MailboxState.objects.create(
        config=mailbox, folder=mailbox.imap_folder, uidvalidity=1, last_uid=99
    )
    run_listener()
    wait_for(lambda: Message.objects.filter(external_id="<uv-1@x>").exists())
    state = wait_for(lambda: MailboxState.objects.filter(config=mailbox, last_uid=1).first())
    assert state.uidvalidity != 1
    assert Message.objects.filter(external_id="<uv-1@x>").count() == 1


def test_it_stores_a_backlog_in_batches_with_threads_across_them(
    mailbox: Any, dovecot: Any, run_listener: Any
) -> None:
    # 120 mails waiting when the listener starts (after downtime): three fetch
    # batches; every mail replies to the one before, so threads cross batches.
    for i in range(120):
        headers = {"In-Reply-To": f"<backlog-{i - 1}@x>"} if i else {}
        mail = simple(message_id=f"<backlog-{i}@x>", text=f"پیام {i}", headers=headers)
        _append(dovecot, mailbox.imap_folder, mail)
    run_listener()
    state = wait_for(lambda: MailboxState.objects.filter(config=mailbox, last_uid=120).first())
    assert state.last_error == ""
    assert Message.objects.filter(external_id__startswith="<backlog-").count() == 120
    assert Ticket.objects.count() == 1
    client = dovecot.client()
    client.select_folder(mailbox.imap_folder)
    assert len(client.search(["SEEN"])) == 120  # marked only after they were stored
    client.logout()
