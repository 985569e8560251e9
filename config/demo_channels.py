"""The demo's Bale and WhatsApp inboxes (issue 20).

Bale: an inbox without a bot yet (replies wait "not connected" with a link to the
admin page where a token goes) and a customer who wrote in Persian. WhatsApp: a
number without an access token, two approved templates, one customer inside the
24-hour window and one whose window has closed (the composer then offers the
templates). Runs inside seed_demo's transaction.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels_in.whatsapp.models import WhatsAppConfig, WhatsAppTemplate
from helpdesk.identities import PHONE
from helpdesk.inbound import InboundMessage, Sender
from helpdesk.ingest import receive
from helpdesk.models import Inbox

WHATSAPP = [
    ("+98 913 222 4455", "نرگس کاظمی", 2, "سلام، کد تخفیف روی سبد خرید اعمال نمی‌شود."),
    ("+49 151 2345 6789", "Jonas Weber", 50, "Hello, can I change the delivery address of 1107?"),
]
TEMPLATES = [
    ("order_update", "fa", "{{1}} عزیز، درباره درخواست شما پاسخی در پشتیبانی منتظر شماست."),
    ("order_update", "en", "Hello {{1}}, there is an answer waiting for you about your request."),
]


def seed_channels(inboxes: dict[str, Inbox]) -> None:
    """A Bale inbox and a WhatsApp number for the Telegram inbox's team, with messages."""
    team = inboxes["telegram"].team
    now = timezone.now()
    bale, _new = Inbox.objects.get_or_create(
        kind="bale", name="Bale · بله", defaults={"team": team}
    )
    receive(
        InboundMessage(
            inbox_id=bale.pk,
            external_id="474747474:1",
            sender=Sender(kind="bale", address="474747474", display_name="مریم احمدی"),
            received_at=now - timedelta(minutes=25),
            text="سلام، سفارش ۱۰۴۲ من هنوز نرسیده. لطفاً پیگیری کنید.",
            meta={"bale_chat_id": 474747474, "bale_message_id": 1, "bale_user_id": 474747474},
        )
    )
    whatsapp, _new = Inbox.objects.get_or_create(
        kind="whatsapp", name="WhatsApp · واتس‌اپ", defaults={"team": team}
    )
    config, _new = WhatsAppConfig.objects.get_or_create(
        inbox=whatsapp,
        defaults={"phone_number_id": "100000000000001", "display_phone_number": "+98 21 0000 0000"},
    )
    for name, language, body in TEMPLATES:
        WhatsAppTemplate.objects.get_or_create(
            config=config, name=name, language=language, defaults={"body": body}
        )
    for n, (number, name, hours_ago, text) in enumerate(WHATSAPP):
        receive(
            InboundMessage(
                inbox_id=whatsapp.pk,
                external_id=f"wamid.demo{n + 1}",
                sender=Sender(kind=PHONE, address=number, display_name=name),
                received_at=now - timedelta(hours=hours_ago),
                text=text,
                meta={"whatsapp_type": "text"},
            )
        )
