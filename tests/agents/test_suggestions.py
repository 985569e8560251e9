from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from helpdesk.ingest import receive
from knowledge_base.models import Article
from knowledge_base.services import save_article
from tests.factories import inbound

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_suggests_matching_articles_in_the_ticket_view(email_inbox_a: Any, agent_a: Any) -> None:
    save_article(
        Article(
            title="بازیابی رمز عبور",
            body="برای بازیابی رمز عبور روی «فراموشی رمز» بزنید.",
            locale="fa",
            status="published",
        )
    )
    save_article(
        Article(
            title="Shipping times", body="Orders ship in 3 days.", locale="en", status="published"
        )
    )
    # Typed on an Arabic keyboard (ي): still the Persian article.
    ticket = receive(
        inbound(email_inbox_a, text="رمز عبورم را فراموش کردم، بازيابي چطور است؟")
    ).ticket
    client = Client()
    client.force_login(agent_a)
    page = client.get(f"/t/{ticket.pk}/").content.decode()
    assert "Articles that may answer this" in page or "مقاله" in page
    assert "بازیابی رمز عبور" in page
    assert "Shipping times" not in page
    assert 'data-insert="بازیابی رمز عبور: http' in page


def test_it_fills_placeholders_in_canned_responses(email_inbox_a: Any, agent_a: Any) -> None:
    from agents.models import CannedResponse

    CannedResponse.objects.create(
        owner=agent_a,
        shortcut="hi",
        title="Hi",
        body="سلام {{contact.name}}، تیکت {{ticket.number}}",
    )
    ticket = receive(inbound(email_inbox_a, name="Neda")).ticket
    client = Client()
    client.force_login(agent_a)
    canned = client.get(f"/t/{ticket.pk}/").context["canned"]
    assert canned == [{"shortcut": "hi", "title": "Hi", "body": f"سلام Neda، تیکت {ticket.pk}"}]
