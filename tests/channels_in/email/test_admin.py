from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from channels_in.email.models import MailboxConfig, QuarantinedMail
from channels_in.email.receive import process_raw
from channels_in.email.transport import check_imap, check_smtp
from tests.channels_in.email.mails import raw
from tests.channels_in.email.servers import IMAP_PASSWORD
from tests.net import free_port

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_client(admin_user: Any) -> Client:
    get_user_model().objects.filter(pk=admin_user.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    return client


def test_it_stores_passwords_encrypted(mailbox: MailboxConfig) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT imap_password FROM channel_email_mailboxconfig WHERE id = %s", [mailbox.pk]
        )
        stored = cursor.fetchone()[0]
    assert IMAP_PASSWORD not in stored
    assert MailboxConfig.objects.get(pk=mailbox.pk).imap_password == IMAP_PASSWORD


def test_it_reports_connection_problems_in_plain_words(mailbox: MailboxConfig) -> None:
    assert check_imap(mailbox) is None and check_smtp(mailbox) is None
    mailbox.imap_password = "not-the-password"
    mailbox.imap_folder = "Missing"
    mailbox.smtp_port = free_port()
    problem = check_imap(mailbox)
    assert problem is not None and "refused the user name or password for desk" in problem
    assert "not-the-password" not in problem
    smtp_problem = check_smtp(mailbox)
    assert smtp_problem is not None and "refused the connection" in smtp_problem
    mailbox.imap_password = IMAP_PASSWORD
    assert "does not exist" in (check_imap(mailbox) or "")


def test_it_runs_the_test_connection_action(mailbox: MailboxConfig, staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/channel_email/mailboxconfig/",
        {"action": "test_connection", "_selected_action": [mailbox.pk]},
        follow=True,
    )
    assert "IMAP and SMTP work" in response.content.decode()


def test_it_keeps_the_password_when_the_admin_leaves_it_blank(
    mailbox: MailboxConfig, staff_client: Client
) -> None:
    response = staff_client.get(f"/admin/channel_email/mailboxconfig/{mailbox.pk}/change/")
    assert IMAP_PASSWORD not in response.content.decode()


def test_it_lists_and_reprocesses_quarantined_mail(
    email_inbox_a: Any, staff_client: Client, agent_a: Any
) -> None:
    processed = process_raw(email_inbox_a, raw("Subject: nobody wrote this", "", "x"))
    item_id = int(processed.quarantine_id or 0)
    listing = staff_client.get("/admin/channel_email/quarantinedmail/").content.decode()
    assert "nobody wrote this" in listing and "no sender address" in listing
    staff_client.post(
        "/admin/channel_email/quarantinedmail/",
        {"action": "reprocess_mail", "_selected_action": [item_id]},
    )
    assert QuarantinedMail.objects.get(pk=item_id).reason.startswith("no sender")
    agent = Client()
    agent.force_login(agent_a)
    assert agent.get("/admin/channel_email/quarantinedmail/").status_code == 302
