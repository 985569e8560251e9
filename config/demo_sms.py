"""The demo's SMS line: a Kavenegar line without an API key (replies wait, "not
connected", until one is entered), a customer who texts after the voicemail they
left (one contact for both), and the missed-call text on the phone line.

Runs inside seed_demo's transaction.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels_in.sms.models import Provider, SmsConfig
from helpdesk.identities import PHONE
from helpdesk.inbound import InboundMessage, Sender
from helpdesk.ingest import receive
from helpdesk.models import Inbox

TEXTS = [
    ("+98 912 345 6789", "سلام، درباره خرید عمده پیام صوتی گذاشته بودم. لطفاً ساعت ۴ تماس بگیرید."),
    ("09351112233", "Hi, is order 1098 shipped? Please text me the tracking code."),
]


def seed_sms(inboxes: dict[str, Inbox]) -> None:
    """An SMS inbox for the phone line's team, two received texts, the missed-call text."""
    phone = inboxes["phone"]
    inbox, _new = Inbox.objects.get_or_create(
        kind="sms", name="SMS · پیامک", defaults={"team": phone.team}
    )
    line, _new = SmsConfig.objects.get_or_create(
        inbox=inbox,
        defaults={
            "provider": Provider.KAVENEGAR,
            "sender_number": "10004346",
            "max_segments": 3,
            "cost_gsm": 1300,
            "cost_ucs2": 1100,
            "currency": "IRR",
            "missed_call_text": (
                "سلام، تماس شما با {{inbox.name}} بی‌پاسخ ماند؛ به زودی با شما تماس می‌گیریم."
            ),
        },
    )
    line.missed_call_inboxes.add(phone)
    now = timezone.now()
    for n, (number, text) in enumerate(TEXTS):
        receive(
            InboundMessage(
                inbox_id=inbox.pk,
                external_id=f"sms-in:demo-{n + 1}",
                sender=Sender(kind=PHONE, address=number),
                received_at=now - timedelta(minutes=40 - 15 * n),
                text=text,
            )
        )
