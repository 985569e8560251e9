"""A CSAT survey by email: the mail through the SMTP test server, its one-click link
opened in Chromium, answered and commented; the Persian page right to left."""

from __future__ import annotations

import email
import re
from email import policy
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from channels_in.email.models import MailboxConfig, TlsMode
from helpdesk.models import Contact
from helpdesk.surveys.actions import do_send_survey_now
from helpdesk.surveys.models import SurveyResponse
from helpdesk.tasks import deliver_message
from tests.helpdesk.actions_helpers import open_ticket
from tests.live import ROOT, ThreadDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = ROOT / "var" / "test-artifacts"


def _mailed_links(smtp: Any, email_inbox_a: Any, agent_a: Any, **contact: Any) -> list[str]:
    """Send a survey on a new ticket by email; the links of the mail the server received."""
    ticket = open_ticket(email_inbox_a, **contact)
    if contact.get("sender", "").startswith("fa"):
        Contact.objects.filter(pk=ticket.contact_id).update(language="fa")
    request = do_send_survey_now(agent_a, ticket.pk)
    assert deliver_message.call(request.message_id or 0) == "sent"
    mail = email.message_from_bytes(smtp.received[-1].data, policy=policy.default)
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    return re.findall(r'href="([^"]+)"', html)


def test_it_answers_an_emailed_survey_by_its_one_click_link(
    smtp: Any,
    email_inbox_a: Any,
    agent_a: Any,
    live_desk: ThreadDesk,
    browser: Browser,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the
    # test makes are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    recorder, port = smtp
    settings.PUBLIC_BASE_URL = live_desk.url
    MailboxConfig.objects.create(
        inbox=email_inbox_a,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_tls=TlsMode.NONE,
        from_address="support@desk.example",
        timeout=10,
    )
    links = _mailed_links(recorder, email_inbox_a, agent_a, sender="ann@example.com")
    assert [link.rsplit("=", 1)[-1] for link in links[:5]] == ["1", "2", "3", "4", "5"]

    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(links[1].replace("&amp;", "&"))  # "2" from the mail: recorded once loaded
    expect(page.locator(".survey-thanks")).to_be_visible()
    answer = SurveyResponse.objects.get()
    assert (answer.score, answer.answered_via) == (2, "page")
    page.locator("#id_comment").fill("The first answer was wrong")
    page.locator("label[for=score-3]").click()
    page.locator(".survey-submit").click()
    expect(page.locator("#id_comment")).to_have_value("The first answer was wrong")
    answer.refresh_from_db()
    assert (answer.score, answer.comment) == (3, "The first answer was wrong")
    assert SurveyResponse.objects.count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "survey-en.png"), full_page=True)

    fa_links = _mailed_links(recorder, email_inbox_a, agent_a, sender="fa.reader@example.com")
    page.goto(fa_links[-1])  # the page itself, no score chosen
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("legend")).to_contain_text("۱")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "survey-fa.png"), full_page=True)
    page.goto(f"{live_desk.url}/survey/tampered-token/")
    expect(page.locator("h1")).to_contain_text("no longer valid")
