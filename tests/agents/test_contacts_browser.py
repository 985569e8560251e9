"""The CRM pages in Chromium, one whole flow: define a typed attribute, set it inline on
a contact, filter by it, save the filter as a segment with its live count (English, wide),
then import a CSV with a column mapping, a preview and rejected rows (Persian, phone-wide);
the CRM tabs wrap on a phone, and a long Persian attribute name in the ticket's contact
sidebar is read whole, wide and on a phone.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from helpdesk.crm.tasks import run_contact_import
from helpdesk.ingest import receive
from helpdesk.models import Agent, AttributeDefinition, Contact, ContactImport, ImportState
from tests import factories
from tests.agents.test_workspace_browser import NO_OVERFLOW, PHONE, WIDE, shot, sign_in
from tests.live import ThreadDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every link of the CRM tabs inside the window, and the strip not scrolling sideways.
TABS_FIT = """() => {
  const strip = document.querySelector(".crm-tabs");
  const links = [...strip.querySelectorAll(".nav-link")];
  return strip.scrollWidth <= strip.clientWidth
    && links.every((a) => {
      const r = a.getBoundingClientRect();
      return r.left >= 0 && r.right <= innerWidth;
    });
}"""
# The sidebar's attribute names neither cut off nor spilling out of their column.
LABELS_WHOLE = """() => [...document.querySelectorAll("#contact dl.attributes dt")].every(
  (dt) => getComputedStyle(dt).textOverflow !== "ellipsis" && dt.scrollWidth <= dt.clientWidth
)"""
LONG_LABEL = "تاریخ تمدید قرارداد پشتیبانی سالانه"

CSV = "نام,ایمیل,موبایل\nسارا رضایی,sara@example.ir,۰۹۱۲۱۲۳۴۵۶۷\nبی‌نام,not-an-email,\n"


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_it_defines_sets_filters_segments_and_imports(
    live_desk: ThreadDesk, browser: Browser, admin_user: Any, email_inbox_a: Any, tmp_path: Any
) -> None:
    gold = receive(factories.inbound(email_inbox_a, sender="g@example.com", name="Golda")).ticket
    receive(factories.inbound(email_inbox_a, sender="p@example.com", name="Plain Person"))
    page = sign_in(browser, live_desk, admin_user, WIDE)

    page.goto("/contacts/attributes/")
    page.fill("#a-label", "Plan")
    page.fill("#a-key", "plan")
    page.select_option("#a-type", "list")
    page.fill("#a-choices", "gold\nsilver")
    page.click("#attribute-create")
    expect(page.locator("#attribute-table")).to_contain_text("plan")

    page.goto(f"/c/{gold.contact_id}/")
    page.locator("#contact details:has(#contact-attributes-form) summary").click()
    page.select_option("#contact-attr-plan", "gold")
    page.click("#contact-attributes-form button[type=submit]")
    expect(page.locator('dd[data-attr="plan"]')).to_have_text("gold")

    page.goto("/contacts/")
    page.locator("#contacts-filter-form details summary").click()
    page.select_option("#f-attr", "plan")
    page.fill("#f-val", "gold")
    page.click("#apply-filters")
    expect(page.locator("#contact-list")).to_contain_text("Golda")
    expect(page.locator("#contact-list")).not_to_contain_text("Plain Person")
    page.locator("#save-segment summary").click()
    page.fill("#segment-name", "Gold customers")
    page.click("#save-segment-button")
    expect(page.locator("#segment-list")).to_contain_text("Gold customers")
    expect(page.locator(".segment-count")).to_have_attribute("data-count", "1")
    shot(page, "crm-segments-en.png")

    Agent.objects.filter(user=admin_user).update(language="fa")
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    page.goto("/contacts/import/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.set_input_files("#import-file", str(path))
    page.click("#import-upload button[type=submit]")
    expect(page.locator("#import-preview")).to_contain_text("سارا رضایی")
    expect(page.locator(".preview-rejected")).to_have_count(1)  # seen before importing
    assert page.locator("#map-0").input_value() == "name"  # Persian headers understood
    assert page.evaluate(NO_OVERFLOW)
    page.click("#import-start")
    expect(page.locator("#import-status")).to_be_visible()
    job = ContactImport.objects.get()
    run_contact_import.call(job.pk)  # what the worker runs; the page polls for it
    expect(page.locator("#import-status")).to_have_attribute("data-state", ImportState.DONE)
    expect(page.locator("[data-created]")).to_have_attribute("data-created", "1")
    expect(page.locator("#rejected-download")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
    shot(page, "crm-import-fa.png")
    sara = Contact.objects.get(name="سارا رضایی")
    assert {i.address for i in sara.identities.all()} == {"sara@example.ir", "+989121234567"}

    page.goto("/contacts/")  # the CRM tabs wrap on a phone, nothing scrolls sideways
    assert page.evaluate(TABS_FIT)
    assert page.evaluate(NO_OVERFLOW)
    AttributeDefinition.objects.create(
        entity="contact", key="renewal", label=LONG_LABEL, type="text"
    )
    Contact.objects.filter(pk=gold.contact_id).update(
        custom_attributes={"plan": "gold", "renewal": "۱۴۰۵/۰۱/۱۵"}
    )
    page.goto(f"/t/{gold.pk}/#customer")  # the phone's customer pane
    label = page.locator("#contact dl.attributes dt", has_text=LONG_LABEL)
    expect(label).to_be_visible()
    expect(label).to_have_text(LONG_LABEL)
    assert page.evaluate(LABELS_WHOLE)
    page.set_viewport_size({"width": WIDE["width"], "height": WIDE["height"]})
    page.goto(f"/t/{gold.pk}/")
    expect(label).to_be_visible()
    assert page.evaluate(LABELS_WHOLE)
    shot(page, "ticket-contact-attributes-fa.png")
    assert page.problems == []  # type: ignore[attr-defined]
