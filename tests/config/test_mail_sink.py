"""The demo's local SMTP sink: demo replies go to it, /dev/mail/ shows them in demo mode."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.test import Client

from config import demo, mail_sink
from helpdesk.models import DeliveryStatus, Direction, Message, Ticket
from helpdesk.tasks import deliver_message
from tests.net import free_port

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sink(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """The sink served as rundesk serves it, on a free port the demo mailbox then uses."""
    settings.VAR_DIR = tmp_path / "var"
    settings.HELPDESK_MAIL_SINK_PORT = free_port()
    stop = threading.Event()
    server = mail_sink.MailSink(mail_sink.folder(), port=mail_sink.port())
    thread = threading.Thread(target=server.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield mail_sink.folder()
    finally:
        stop.set()
        thread.join(timeout=10)


def test_it_sends_the_demo_replies_to_the_sink_and_shows_them_in_demo_mode_only(
    sink: Path, settings: Any
) -> None:
    demo.seed()
    queued = Message.objects.filter(
        direction=Direction.OUTBOUND, delivery_status=DeliveryStatus.QUEUED
    ).order_by("id")
    for message_id in list(queued.values_list("id", flat=True)):
        deliver_message.call(message_id)
    statuses = dict(
        Message.objects.filter(direction=Direction.OUTBOUND)
        .values_list("delivery_status")
        .annotate(n=Count("id"))
    )
    # Nothing fails in the demo; the one reply left uncertain on purpose shows the resend prompt.
    assert statuses.get(DeliveryStatus.FAILED, 0) == 0, statuses
    assert statuses[DeliveryStatus.UNCERTAIN] == 1
    # The admin's "Mine" list, where the inbox opens, is not empty.
    assert Ticket.objects.filter(assignee__username=demo.ADMIN_USERNAME).count() == 2
    mails = mail_sink.captured(sink)
    invoice = Ticket.objects.get(subject="مشکل در پرداخت فاکتور")
    # Other demo parts (surveys, the portal) queue mail too: the agent's reply is one of them.
    replies = [m for m in mails if "مرورگر دیگری" in m.text]
    assert len(replies) == 1, [m.subject for m in mails]
    assert replies[0].subject == f"Re: مشکل در پرداخت فاکتور [#{invoice.pk}]"
    assert replies[0].recipients == "reza.karimi@example.ir"

    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    settings.DEBUG, settings.HELPDESK_DEMO, settings.PRODUCTION = False, True, False
    page = client.get("/dev/mail/")
    assert page.status_code == 200
    assert "reza.karimi@example.ir" in page.content.decode()
    assert 'href="/dev/mail/"' in page.content.decode()  # the top bar's account menu
    settings.HELPDESK_DEMO, settings.PRODUCTION = False, True
    assert client.get("/dev/mail/").status_code == 404


def test_it_shows_only_harmless_html(tmp_path: Path) -> None:
    raw = (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n\r\n"
        b'<p onclick="x()">Hello <script>alert(1)</script><b style="color:red">you</b></p>'
    )
    mail_sink.store(tmp_path, "a@example.com", ["b@example.com"], raw)
    (mail,) = mail_sink.captured(tmp_path)
    assert mail.html == "<p>Hello <b>you</b></p>"
    assert (mail.sender, mail.recipients, mail.subject) == ("a@example.com", "b@example.com", "hi")
