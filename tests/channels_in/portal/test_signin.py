"""Sign-in by one-time link: mailed through the SMTP test server, used once, expiring,
asked for by email or any Iranian phone form, throttled per identity and per address."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from channels_in.portal.models import SignInLink
from helpdesk.models import Contact, ContactIdentity, Ticket
from tests.channels_in.email.servers import SmtpRecorder
from tests.channels_in.portal.conftest import link_in, mail_text

pytestmark = pytest.mark.django_db


def _ask(client: Client, identity: str, locale: str = "en", ip: str = "10.0.0.1") -> Any:
    return client.post(f"/portal/{locale}/sign-in/", {"identity": identity}, REMOTE_ADDR=ip)


@pytest.mark.embedded  # the run command's SQLite too
def test_it_mails_a_link_that_signs_in_once(
    client: Client, smtp: SmtpRecorder, mailbox: Any, sara_ticket: Ticket
) -> None:
    response = _ask(client, "  Sara@Example.com ")
    assert response.status_code == 200
    assert b"sign-in link is on its way" in response.content
    assert smtp.received[-1].rcpt_tos == ["sara@example.com"]
    path = link_in(mail_text(smtp))
    assert client.get("/portal/en/").status_code == 302  # not signed in yet
    assert client.get(path).status_code == 200  # a mail scanner's GET uses nothing
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/portal/en/"
    home = client.get("/portal/en/")
    assert b"Refund" in home.content
    assert b"Received" in home.content  # the status in the customer's words
    again = Client().post(path)
    assert again.status_code == 410
    assert b"This link no longer works" in again.content
    assert Client().get(path).status_code == 410
    # Only the hash is stored.
    token = path.rstrip("/").rsplit("/", 1)[-1]
    assert not SignInLink.objects.filter(token_hash=token).exists()


def test_it_refuses_an_expired_link_kindly_in_persian(
    client: Client, smtp: SmtpRecorder, mailbox: Any, sara_ticket: Ticket
) -> None:
    _ask(client, "sara@example.com", locale="fa")
    path = link_in(mail_text(smtp))
    assert path.startswith("/portal/fa/link/")
    SignInLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(path)
    assert response.status_code == 410
    assert 'dir="rtl"' in response.content.decode()
    assert client.get("/portal/fa/").status_code == 302


def test_it_answers_a_phone_number_in_persian_digits_by_the_contacts_mail(
    client: Client, smtp: SmtpRecorder, mailbox: Any, sara_ticket: Ticket
) -> None:
    ContactIdentity.objects.create(
        contact=sara_ticket.contact, kind="phone", address="+989123456789"
    )
    _ask(client, "۰۹۱۲ ۳۴۵ ۶۷۸۹")
    assert smtp.received[-1].rcpt_tos == ["sara@example.com"]
    link = SignInLink.objects.get()
    assert (link.identity_kind, link.address) == ("phone", "+989123456789")


def test_it_says_the_same_for_an_unknown_address_and_sends_nothing(
    client: Client, smtp: SmtpRecorder, mailbox: Any, sara_ticket: Ticket
) -> None:
    response = _ask(client, "nobody@example.com")
    assert response.status_code == 200
    assert b"sign-in link is on its way" in response.content
    assert smtp.received == []
    assert _ask(client, "not an address").status_code == 400


def test_it_throttles_sign_in_per_identity_and_per_address(
    settings: Any, client: Client, smtp: SmtpRecorder, mailbox: Any, sara_ticket: Ticket
) -> None:
    settings.PORTAL_SIGNIN_PER_IDENTITY = (2, 900)
    settings.PORTAL_SIGNIN_PER_IP = (4, 3600)
    assert [_ask(client, "sara@example.com", ip=f"10.0.1.{i}").status_code for i in range(3)] == [
        200,
        200,
        429,
    ]
    assert len(smtp.received) == 2
    statuses = [_ask(client, f"x{i}@example.com", ip="10.0.2.1").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]


def test_it_opens_a_ticket_from_the_signed_link_of_a_reply_mail(
    client: Client, smtp: SmtpRecorder, mailbox: Any, portal_inbox: Any, agent_a: Any
) -> None:
    from helpdesk.actions.messages import do_reply
    from helpdesk.tasks import deliver_message

    contact = Contact.objects.create(name="Reza")
    ContactIdentity.objects.create(contact=contact, kind="email", address="reza@example.com")
    ticket = Ticket.objects.create(
        contact=contact, inbox=portal_inbox, team=portal_inbox.team, subject="Invoice"
    )
    reply = do_reply(agent_a, ticket.pk, "Here is your invoice.")
    assert deliver_message.call(reply.pk) == "sent"
    text = mail_text(smtp)
    assert f"#{ticket.pk}" in str(smtp.received[-1].data)
    path = link_in(text)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/portal/en/requests/{ticket.pk}/"
    assert b"Here is your invoice." in client.get(response["Location"]).content
    tampered = path[:-3] + ("aaa/" if not path.endswith("aaa/") else "bbb/")
    assert Client().get(tampered).status_code == 410


def test_an_expired_ticket_link_opens_the_ticket_after_signing_in_again(
    client: Client, smtp: SmtpRecorder, mailbox: Any, sara_ticket: Ticket, settings: Any
) -> None:
    from channels_in.portal import signin
    from tests.channels_in.portal.test_tickets import signed_in

    token = signin.ticket_token(sara_ticket.contact_id, sara_ticket.pk)
    settings.PORTAL_TICKET_LINK_DAYS = -1  # every ticket link has expired
    stale = f"/portal/fa/open/{token}/"
    refused = client.get(stale)
    assert refused.status_code == 410 and client.get("/portal/fa/").status_code == 302
    digits = str(sara_ticket.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert f"#{digits}" in refused.content.decode()  # "sign in again and request #N opens"
    _ask(client, "sara@example.com", locale="fa")
    landed = client.post(link_in(mail_text(smtp)))
    assert landed.status_code == 302
    assert landed["Location"] == f"/portal/fa/requests/{sara_ticket.pk}/"
    assert client.get(stale)["Location"] == landed["Location"]  # signed in: straight there
    # Someone else signed in gets no way to the ticket from the stale link.
    other = Contact.objects.create(name="Ali")
    stranger = signed_in(other)
    assert stranger.get(stale).status_code == 410
    assert stranger.get(f"/portal/fa/requests/{sara_ticket.pk}/").status_code == 404
    forged = Client().get(f"/portal/fa/open/{token[:-2]}xx/")
    assert forged.status_code == 410 and "portal-next" not in forged.content.decode()
