"""The mailbox admin's passwords are write-only (helpdesk.channel_kit.SecretField)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from channels_in.email.models import MailboxConfig
from tests.channels_in.email.servers import IMAP_PASSWORD

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def staff_client(admin_user: Any) -> Client:
    get_user_model().objects.filter(pk=admin_user.pk).update(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    return client


def test_it_never_shows_the_password_and_keeps_it_when_left_blank(
    mailbox: MailboxConfig, staff_client: Client
) -> None:
    MailboxConfig.objects.filter(pk=mailbox.pk).update(smtp_password="smtp-pass-123")
    url = f"/admin/channel_email/mailboxconfig/{mailbox.pk}/change/"
    page = staff_client.get(url).content.decode()
    assert IMAP_PASSWORD not in page and "smtp-pass-123" not in page
    form = staff_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(imap_password="", smtp_password="", imap_folder="Archive")
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    mailbox.refresh_from_db()
    assert mailbox.imap_folder == "Archive"
    assert mailbox.imap_password == IMAP_PASSWORD and mailbox.smtp_password == "smtp-pass-123"
