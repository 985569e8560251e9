"""The demo's customer portal: a portal inbox and a customer, Reza Karimi, whose requests
came by email, SMS and the portal itself, all listed on his "My requests" page.

Sign in at /portal/fa/ with reza.karimi@example.ir: in development (DEBUG) the page
shows the one-time link, and the mail itself is in the mail sink at /dev/mail/.
Runs inside seed_demo's transaction.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from helpdesk.identities import EMAIL, PHONE
from helpdesk.inbound import InboundMessage, Sender, ThreadHints
from helpdesk.ingest import receive
from helpdesk.models import ContactIdentity, Inbox

CUSTOMER = "reza.karimi@example.ir"
PHONE_NUMBER = "+989121112299"


def seed_portal(inboxes: dict[str, Inbox]) -> None:
    """A portal inbox beside the mailbox; Reza's text message and portal request."""
    mailbox = inboxes["email"]
    portal, _new = Inbox.objects.get_or_create(
        kind="portal", name="Customer portal · پرتال مشتریان", defaults={"team": mailbox.team}
    )
    known = ContactIdentity.objects.filter(kind=EMAIL, address=CUSTOMER).first()
    if known is None:
        return
    ContactIdentity.objects.get_or_create(
        kind=PHONE, address=PHONE_NUMBER, defaults={"contact": known.contact}
    )
    now = timezone.now()
    sms = Inbox.objects.filter(kind="sms").order_by("id").first()
    if sms is not None:
        receive(
            InboundMessage(
                inbox_id=sms.pk,
                external_id="sms-in:demo-portal-1",
                sender=Sender(kind=PHONE, address=PHONE_NUMBER),
                received_at=now - timedelta(hours=5),
                text="سلام، رسید پرداخت فاکتور ۴۸۲۱ را با ایمیل فرستادم. لطفاً بررسی کنید.",
                language="fa",
            )
        )
    receive(
        InboundMessage(
            inbox_id=portal.pk,
            external_id="demo-portal-request-1",
            sender=Sender(kind=EMAIL, address=CUSTOMER, display_name=known.contact.name),
            received_at=now - timedelta(hours=2),
            subject="تغییر نشانی ارسال",
            text="لطفاً نشانی ارسال سفارش بعدی را به تهران، خیابان ولیعصر تغییر دهید.",
            thread=ThreadHints(new_conversation=True),
            language="fa",
            meta={"source": "customer portal"},
        )
    )
