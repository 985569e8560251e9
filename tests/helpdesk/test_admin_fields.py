"""JSON lists and objects in admin forms are edited as lines of text, never as JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from channels_in.phone.models import Call, PhoneLine
from helpdesk.models import Contact, Ticket
from tests import factories

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def staff(admin_user: Any) -> Client:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    return client


def test_it_edits_phone_numbers_one_per_line_and_stores_e164(staff: Client, team_a: Any) -> None:
    inbox = factories.make_inbox(team_a, "phone")
    response = staff.post(
        "/admin/channel_phone/phoneline/add/",
        {
            "inbox": inbox.pk,
            "numbers": "۰۲۱ ۱۲۳۴ ۵۶۷۸\n\n+982187654321\n02112345678",
            "default_region": "IR",
            "blocked_numbers": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    line = PhoneLine.objects.get()
    assert line.numbers == ["+982112345678", "+982187654321"]
    page = staff.get(f"/admin/channel_phone/phoneline/{line.pk}/change/").content.decode()
    assert "+982112345678\n+982187654321</textarea>" in page
    listed = staff.get("/admin/channel_phone/phoneline/").content.decode()
    assert "+982112345678, +982187654321" in listed
    call = Call.objects.create(
        line=line, call_id="c1", direction="in", users=["101", "102"], started_at=timezone.now()
    )
    shown = staff.get(f"/admin/channel_phone/call/{call.pk}/change/").content.decode()
    assert "101, 102" in shown and '["101"' not in shown

    bad = {"inbox": inbox.pk, "numbers": "hello", "default_region": "IR"}
    response = staff.post(f"/admin/channel_phone/phoneline/{line.pk}/change/", bad)
    assert response.status_code == 200 and "hello" in response.content.decode()


def test_it_shows_tags_and_edits_contact_attributes_as_text(
    staff: Client, email_inbox_a: Any
) -> None:
    from helpdesk.ingest import receive

    ticket = receive(factories.inbound(email_inbox_a)).ticket
    Ticket.objects.filter(pk=ticket.pk).update(tags=["vip", "بازپرداخت"])
    shown = staff.get(f"/admin/helpdesk/ticket/{ticket.pk}/change/").content.decode()
    assert "vip, بازپرداخت" in shown and '["vip"' not in shown  # read-only JSON as text
    contact = ticket.contact
    Contact.objects.filter(pk=contact.pk).update(custom_attributes={"plan": "gold"})
    url = f"/admin/helpdesk/contact/{contact.pk}/change/"
    assert "plan: gold</textarea>" in staff.get(url).content.decode()
    response = staff.post(
        url,
        {
            "name": contact.name,
            "language": "fa",
            "preferred_channel": "",
            "notes": "",
            "custom_attributes": "plan: silver\nشهر: تهران",
            "identities-TOTAL_FORMS": "0",
            "identities-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contact.refresh_from_db()
    assert contact.custom_attributes == {"plan": "silver", "شهر": "تهران"}
