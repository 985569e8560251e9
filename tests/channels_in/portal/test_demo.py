"""The demo's portal customer: requests from several channels, and in development the
sign-in page shows the one-time link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from channels_in.portal.access import viewer_for
from config.demo import seed
from config.demo_portal import CUSTOMER
from helpdesk.models import ContactIdentity

pytestmark = pytest.mark.django_db


def test_it_seeds_a_customer_with_tickets_on_several_channels(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path / "var"
    seed()
    contact = ContactIdentity.objects.get(kind="email", address=CUSTOMER).contact
    viewer = viewer_for(contact.pk)
    assert viewer is not None
    kinds = set(viewer.tickets().values_list("inbox__kind", flat=True))
    assert {"email", "sms", "portal"} <= kinds
    settings.DEBUG = True
    client = Client()
    page = client.post("/portal/fa/sign-in/", {"identity": CUSTOMER.upper()}).content.decode()
    link = re.search(
        r'id="portal-dev-link".*?href="https?://[^/"]+(/portal/fa/link/[^"]+)"', page, re.S
    )
    assert link, page
    assert client.post(link.group(1)).status_code == 302
    home = client.get("/portal/fa/").content.decode()
    assert "تغییر نشانی ارسال" in home and "مشکل در پرداخت فاکتور" in home
