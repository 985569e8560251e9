"""My requests: only the contact's own tickets (merged contacts too, a company manager's
company), never an internal note; reply and new requests through ingest; close/reopen."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from channels_in.portal.models import PortalAccess
from channels_in.portal.pages import SESSION_KEY
from helpdesk import jalali
from helpdesk.actions.messages import do_add_note
from helpdesk.digits import persian_digits
from helpdesk.ingest import receive
from helpdesk.models import (
    Attachment,
    Company,
    Contact,
    Direction,
    Message,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from tests import factories

pytestmark = pytest.mark.django_db


def signed_in(contact: Contact) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = contact.pk
    session.save()
    return client


def _ticket(inbox: Any, sender: str, subject: str) -> Ticket:
    return receive(factories.inbound(inbox, sender=sender, subject=subject)).ticket


@pytest.mark.embedded  # the run command's SQLite too
def test_it_never_shows_another_contacts_ticket_nor_a_note(
    email_inbox_a: Any, agent_a: Any, sara_ticket: Ticket
) -> None:
    other = _ticket(email_inbox_a, "omid@example.com", "Omid's secret")
    do_add_note(agent_a, sara_ticket.pk, "INTERNAL: customer is difficult")
    client = signed_in(sara_ticket.contact)
    home = client.get("/portal/en/")
    assert b"Refund" in home.content and b"Omid" not in home.content
    persian = client.get("/portal/fa/").content.decode()
    year = jalali.to_jalali(timezone.localdate(sara_ticket.last_message_at))[0]
    assert f"{persian_digits(str(year))}/" in persian  # a Jalali date in Persian digits
    assert f"#{persian_digits(str(sara_ticket.pk))}" in persian
    page = client.get(f"/portal/en/requests/{sara_ticket.pk}/")
    assert page.status_code == 200
    assert b"Hello, I need help." in page.content
    assert b"INTERNAL" not in page.content
    for path in ("", "status/", "rate/"):
        method = client.get if not path else client.post
        assert method(f"/portal/en/requests/{other.pk}/{path}").status_code == 404
    assert client.post(f"/portal/en/requests/{other.pk}/", {"text": "hi"}).status_code == 404
    assert client.get(f"/portal/en/requests/{other.pk + 1000}/").status_code == 404


def test_it_lists_tickets_of_merged_contacts_and_the_managers_company(
    email_inbox_a: Any, telegram_inbox_a: Any, sara_ticket: Ticket
) -> None:
    sara = sara_ticket.contact
    old = _ticket(email_inbox_a, "sara.old@example.com", "Old address")
    Contact.objects.filter(pk=old.contact_id).update(merged_into=sara)
    company = Company.objects.create(name="Acme")
    colleague = _ticket(email_inbox_a, "ali@acme.example", "Colleague's order")
    Contact.objects.filter(pk__in=[sara.pk, colleague.contact_id]).update(company=company)
    client = signed_in(sara)
    home = client.get("/portal/en/").content
    assert b"Old address" in home and b"Colleague" not in home
    PortalAccess.objects.create(contact=sara, company_manager=True)
    home = client.get("/portal/en/").content
    assert b"Old address" in home and b"Colleague&#x27;s order" in home
    # A manager reads the company's tickets but answers only their own.
    page = client.get(f"/portal/en/requests/{colleague.pk}/")
    assert page.status_code == 200 and b"Send reply" not in page.content
    assert (
        client.post(f"/portal/en/requests/{colleague.pk}/status/", {"do": "close"}).status_code
        == 404
    )


@pytest.mark.embedded  # the run command's SQLite too
def test_it_takes_a_reply_with_a_file_through_ingest_once(
    portal_inbox: Any, sara_ticket: Ticket
) -> None:
    client = signed_in(sara_ticket.contact)
    upload = SimpleUploadedFile("receipt.txt", b"paid", content_type="text/plain")
    body = {"text": "پرداخت کردم", "nonce": "n1", "files": [upload]}
    response = client.post(f"/portal/fa/requests/{sara_ticket.pk}/", body)
    assert response.status_code == 302
    again = client.post(
        f"/portal/fa/requests/{sara_ticket.pk}/", {"text": "پرداخت کردم", "nonce": "n1"}
    )
    assert again.status_code == 302
    replies = Message.objects.filter(ticket=sara_ticket, inbox=portal_inbox)
    assert [(m.direction, m.text) for m in replies] == [(Direction.INBOUND, "پرداخت کردم")]
    assert TicketEvent.objects.filter(ticket=sara_ticket, type="message.created").count() == 2
    attachment = Attachment.objects.get(message=replies[0])
    file = client.get(f"/portal/fa/requests/{sara_ticket.pk}/files/{attachment.pk}/")
    assert file.status_code == 200 and file.getvalue() == b"paid"
    assert file["Content-Disposition"].startswith("attachment")
    stranger = signed_in(Contact.objects.create(name="x"))
    assert (
        stranger.get(f"/portal/fa/requests/{sara_ticket.pk}/files/{attachment.pk}/").status_code
        == 404
    )


def test_it_closes_and_reopens_with_events(portal_inbox: Any, sara_ticket: Ticket) -> None:
    client = signed_in(sara_ticket.contact)
    url = f"/portal/en/requests/{sara_ticket.pk}/status/"
    assert client.post(url, {"do": "close"}).status_code == 302
    sara_ticket.refresh_from_db()
    assert sara_ticket.status == TicketStatus.CLOSED
    assert b"Reopen this request" in client.get(f"/portal/en/requests/{sara_ticket.pk}/").content
    client.post(url, {"do": "reopen"})
    sara_ticket.refresh_from_db()
    assert sara_ticket.status == TicketStatus.OPEN
    changes = TicketEvent.objects.filter(ticket=sara_ticket, type="ticket.status_changed")
    assert [
        (e.payload["previous_status"], e.payload["status"]) for e in changes.order_by("id")
    ] == [
        ("new", "closed"),
        ("closed", "open"),
    ]
    assert all(e.actor_id is None for e in changes)


def test_it_opens_a_new_request_with_a_file(portal_inbox: Any, sara_ticket: Ticket) -> None:
    client = signed_in(sara_ticket.contact)
    assert client.get("/portal/fa/new/").status_code == 200
    upload = SimpleUploadedFile("photo.png", b"\x89PNG...", content_type="image/png")
    body = {"subject": "کارت خراب است", "text": "عکس پیوست است", "nonce": "a", "files": [upload]}
    response = client.post("/portal/fa/new/", body)
    created = Ticket.objects.get(subject="کارت خراب است")
    assert response["Location"] == f"/portal/fa/requests/{created.pk}/"
    assert created.inbox == portal_inbox and created.contact == sara_ticket.contact
    assert Attachment.objects.filter(message__ticket=created, name="photo.png").exists()
    assert client.post("/portal/fa/new/", {"subject": "", "text": ""}).status_code == 400


def test_it_rates_a_solved_request_through_the_csat_survey(sara_ticket: Ticket) -> None:
    from django.utils import timezone

    from helpdesk.surveys.actions import new_csat_request
    from helpdesk.surveys.models import RequestStatus, SurveyResponse

    client = signed_in(sara_ticket.contact)
    page = f"/portal/en/requests/{sara_ticket.pk}/"
    assert client.post(page + "rate/", {"score": "5"}).status_code == 404  # no survey yet
    survey = new_csat_request(sara_ticket)
    survey.status = RequestStatus.SENT
    survey.sent_at = timezone.now()
    survey.save()
    assert b'name="score"' in client.get(page).content
    assert client.post(page + "rate/", {"score": "9"}).status_code == 404  # off the scale
    assert client.post(page + "rate/", {"score": "5"}).status_code == 302
    answer = SurveyResponse.objects.get(request=survey)
    assert (answer.score, answer.answered_via) == (5, "portal")
    assert TicketEvent.objects.filter(ticket=sara_ticket, type="survey.answered").count() == 1


def test_it_lists_and_shows_in_a_fixed_number_of_queries(
    email_inbox_a: Any, portal_inbox: Any, agent_a: Any, sara_ticket: Ticket
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from helpdesk.actions.messages import do_reply

    client = signed_in(sara_ticket.contact)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    home = count("/portal/en/")
    page = count(f"/portal/en/requests/{sara_ticket.pk}/")
    for n in range(3):
        _ticket(email_inbox_a, "sara@example.com", f"More {n}")
        do_reply(agent_a, sara_ticket.pk, f"Answer {n}")
        receive(
            factories.inbound(
                email_inbox_a, sender="sara@example.com", ticket_number=sara_ticket.pk
            )
        )
    assert count("/portal/en/") == home
    assert count(f"/portal/en/requests/{sara_ticket.pk}/") == page
