from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, expect

from helpdesk.models import Ticket
from knowledge_base.models import Article, Category
from tests import factories
from tests.live import ThreadDesk

# The portal is served by the test process itself (live_desk's default, "thread").
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def webform_inbox(team_a: Any) -> Any:
    return factories.make_inbox(team_a, "webform", name="Portal")


@pytest.fixture
def faq(make_article: Callable[..., Article], category: Category) -> None:
    make_article(
        "تغییر رمز عبور",
        "برای تغییر **رمز عبور** به بخش تنظیمات بروید.",
        slug="change-password",
        category=category,
        translation_key="pw",
    )
    make_article(
        "Change your password",
        "Open **Settings** and choose *Password*.",
        slug="change-password",
        locale="en",
        category=category,
        translation_key="pw",
    )


def test_it_fits_a_phone_in_persian_and_english(
    faq: None, webform_inbox: Any, live_desk: ThreadDesk, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_desk.url}/help/fa/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("link", name="حساب کاربری")).to_be_visible()
    # Keyboard users skip the header and the search box straight to the content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_have_attribute("href", "#main")
    page.get_by_role("link", name="تغییر رمز عبور").click()
    expect(page.locator("h1")).to_have_text("تغییر رمز عبور")
    expect(page.locator(".kb-feedback button")).to_have_count(2)
    artifacts = Path(settings.BASE_DIR) / "var" / "test-artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    for path in ("/help/fa/a/change-password/", "/help/en/a/change-password/"):
        page.goto(f"{live_desk.url}{path}")
        assert page.evaluate(NO_OVERFLOW), path  # nothing forces sideways scrolling
    for locale in ("fa", "en"):
        for path in (f"/help/{locale}/", f"/help/{locale}/contact/"):
            page.goto(f"{live_desk.url}{path}")
            expect(page.locator("main#main h1")).to_be_visible()
            assert page.evaluate(NO_OVERFLOW), path
        page.goto(f"{live_desk.url}/help/{locale}/")
        page.screenshot(path=str(artifacts / f"portal-{locale}.png"), full_page=True)


def test_it_searches_as_you_type_with_an_arabic_keyboard(
    faq: None, live_desk: ThreadDesk, browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(f"{live_desk.url}/help/fa/")
    page.locator("#kb-q").press_sequentially("رمز عبو", delay=30)
    live = page.locator("#kb-live li")
    expect(live.first).to_contain_text("تغییر رمز عبور")
    expect(live.first.locator("mark").first).to_have_text("رمز")
    page.locator("#kb-q").fill("")
    page.locator("#kb-q").press_sequentially("تغيير", delay=30)  # Arabic yeh
    expect(live.first).to_contain_text("تغییر رمز عبور")


def test_it_shows_the_english_portal_and_switches_language(
    faq: None, live_desk: ThreadDesk, browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(f"{live_desk.url}/help/en/a/change-password/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator(".kb-body strong")).to_have_text("Settings")
    page.get_by_role("link", name="فارسی").click()
    expect(page).to_have_url(f"{live_desk.url}/help/fa/a/change-password/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")


def test_it_sends_the_contact_form_from_the_browser(
    webform_inbox: Any, live_desk: ThreadDesk, browser: Browser
) -> None:
    page = browser.new_page()
    page.goto(f"{live_desk.url}/help/en/")
    page.locator("#kb-contact-link").click()
    page.get_by_label("Your name").fill("Sara")
    page.get_by_label("Your email").fill("sara@example.com")
    page.get_by_label("Subject").fill("Card not arrived")
    page.get_by_label("How can we help?").fill("My card has not arrived yet.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#kb-contact-done")).to_be_visible()
    # Playwright's sync API runs an event loop here: ask the ORM from another thread.
    with ThreadPoolExecutor(1) as pool:
        subject = pool.submit(lambda: Ticket.objects.get().subject).result()
    assert subject == "Card not arrived"
