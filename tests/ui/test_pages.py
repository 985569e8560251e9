"""The main pages in headless Chromium: nothing serious for axe-core, no sideways scroll.

One live desk, one demo desk's data and one browser serve the whole module; each
test is one page in one language, looked at three ways: light at 1400x900, light
at 390x844 and dark at 390x844 (the dark theme mostly changes colours, so its
contrast is checked where the layout is tightest). axe-core comes bundled with
the `axe-playwright-python` package (no network, no CDN).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import override_settings

from tests.live import ROOT, ThreadDesk

# The marker makes pytest-django create the test database; the demo's rows are
# committed once by the module's fixture (the server's threads read them).
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 900}
# (theme, viewport, axe rules or None for all): what each page is looked at in. The
# dark theme changes colours, not layout: there axe checks contrast only.
MODES: list[tuple[str, dict[str, int], list[str] | None]] = [
    ("light", DESKTOP, None),
    ("light", PHONE, None),
    ("dark", PHONE, ["color-contrast"]),
]
SEVERE = {"serious", "critical"}
WAIT_MS = 10_000
AXE = Axe()
ARTIFACTS = ROOT / "var" / "test-artifacts" / "ui"


@dataclass(frozen=True)
class Demo:
    url: str
    paths: dict[str, dict[str, str]]  # language -> page name -> path
    states: dict[str, Any]  # language -> a logged-in admin's Playwright storage state


def _paths(language: str) -> dict[str, str]:
    from helpdesk.models import Contact, Ticket
    from knowledge_base.models import Article

    ticket = Ticket.objects.order_by("id").first()
    contact = Contact.objects.filter(name__gt="").order_by("id").first()
    article = Article.objects.filter(locale=language).order_by("id").first()
    assert ticket and contact and article, "the demo data is missing"
    return {
        "inbox": "/",
        "sla": "/?view=teams&sort=due",
        "ticket": f"/t/{ticket.pk}/",
        "contact": f"/c/{contact.pk}/",
        "contacts": "/contacts/",
        "notifications": "/notifications/",
        "notification_preferences": "/me/notifications/",
        "tasks": "/tasks/",
        "macros": "/macros/",
        "reports": "/reports/",
        "conversation": f"/conversations/new/?contact={contact.pk}",
        "calls": "/calls/",
        "portal": f"/help/{language}/",
        "article": f"/help/{language}/a/{article.slug}/",
        "widget": f"/chat/demo/?lang={language}",
        "login": "/login/",
        "admin": "/admin/",
        "survey": _survey_path(language),
        "customer_sign_in": f"/portal/{language}/sign-in/",
    }


def _survey_path(language: str) -> str:
    """The public page of one of the demo's surveys asked in `language` (helpdesk.surveys)."""
    from django.urls import reverse

    from helpdesk.surveys.models import SurveyRequest
    from helpdesk.surveys.tokens import make_token

    asked = SurveyRequest.objects.filter(language=language, sent_at__isnull=False).first()
    assert asked is not None, "the demo has no survey in this language"
    return reverse("surveys:page", args=[make_token(asked.pk)])


def _admins() -> dict[str, Any]:
    """The demo's admin (English) and a second admin who works in Persian."""
    from helpdesk.models import Agent, Role

    users = get_user_model().objects
    admin = users.get(username="admin")
    persian = users.create_user("mahsa", is_staff=True, is_superuser=True)
    Agent.objects.update_or_create(
        user=persian, defaults={"display_name": "مهسا", "role": Role.ADMIN, "language": "fa"}
    )
    return {"en": admin, "fa": persian}


def _logged_in(user: Any) -> dict[str, Any]:
    """A Playwright storage state holding a session of `user` (no login form, no hashing)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    session = {"name": cookie.key, "value": cookie.value, "domain": "127.0.0.1", "path": "/"}
    return {"cookies": [session], "origins": []}


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None,
    django_db_blocker: Any,
    _thread_desk_of_session: ThreadDesk,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Demo]:
    """The demo desk's data, committed for the module, and the server that serves it."""
    from config import demo as demo_data

    var_dir = tmp_path_factory.mktemp("var")
    with (
        django_db_blocker.unblock(),
        override_settings(ALLOWED_HOSTS=["127.0.0.1"], VAR_DIR=var_dir),
        pytest.MonkeyPatch.context() as patch,
    ):
        # The server's request threads close their connections when a request ends.
        patch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM beside Playwright's loop
        demo_data.seed()
        admins = _admins()
        paths = {lang: _paths(lang) for lang in admins}
        states = {lang: _logged_in(user) for lang, user in admins.items()}
        try:
            yield Demo(_thread_desk_of_session.url, paths, states)
        finally:
            # Like a transactional test: leave the database empty for the next ones.
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def chromium(demo: Demo) -> Iterator[Any]:
    """One headless Chromium for the module (tests/chromium.py)."""
    from playwright.sync_api import sync_playwright

    from tests import chromium as launcher

    with sync_playwright() as p:
        browser = launcher.launch(p)
        try:
            yield browser
        finally:
            # Each test's database fixture ran beside Playwright's loop, which gives it a
            # connection of its own: close it, or the test database cannot be dropped.
            connection.close()
            browser.close()


def _severe(page: Any, rules: list[str] | None) -> list[str]:
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    results = AXE.run(page, options=options)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in SEVERE:
            targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {'; '.join(targets)}")
    return found


def _look(browser: Any, demo: Demo, name: str, language: str) -> list[str]:
    """Load the page once, then look at it in each mode (resized, its colour scheme switched)."""
    context = browser.new_context(
        base_url=demo.url,
        viewport=DESKTOP,
        locale="fa-IR" if language == "fa" else "en-US",
        # Bootstrap then drops its colour transitions, so axe never measures a colour
        # half-way from light to dark after the switch below.
        reduced_motion="reduce",
        # The login page is looked at logged out.
        storage_state=None if name == "login" else demo.states[language],
    )
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    path = demo.paths[language][name]
    problems: list[str] = []
    response = page.goto(path, wait_until="networkidle")
    if response is None or response.status != 200:
        problems.append(f"{path} answered {response.status if response else None}")
    for theme, viewport, rules in MODES:
        mode = f"{theme} {viewport['width']}px"
        page.set_viewport_size(viewport)
        # theme.js follows the system's scheme as it changes, like the layout follows the width.
        page.emulate_media(color_scheme=theme)
        # Reduced motion stops Bootstrap's transitions, not the admin's own (links fade
        # over 0.15 s): axe once measured a link half-way to its dark colour. Wait for
        # every finite animation and transition to end.
        page.evaluate(
            "() => Promise.all(document.getAnimations()"
            ".filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)"
            ".map(a => a.finished.catch(() => null)))"
        )
        if viewport == PHONE and not page.evaluate(
            "document.documentElement.scrollWidth <= window.innerWidth"
        ):
            width = page.evaluate("document.documentElement.scrollWidth")
            problems.append(f"{mode}: overflows sideways ({width}px wide)")
        found = [f"{mode}: {v}" for v in _severe(page, rules)]
        if found or problems:
            # What the page looked like, for whoever fixes it (var/ is not committed).
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shot = f"{name}-{language}-{theme}-{viewport['width']}.png"
            page.screenshot(path=ARTIFACTS / shot, full_page=True)
        problems += found
    context.close()
    return problems


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize(
    "name",
    [
        "inbox",
        "sla",
        "ticket",
        "contact",
        "contacts",
        "notifications",
        "notification_preferences",
        "tasks",
        "macros",
        "reports",
        "conversation",
        "calls",
        "portal",
        "article",
        "widget",
        "login",
        "admin",
        "survey",
        "customer_sign_in",
    ],
)
def test_it_has_no_serious_axe_violations_and_fits_a_phone(
    chromium: Any, demo: Demo, name: str, language: str
) -> None:
    problems = _look(chromium, demo, name, language)
    assert not problems, f"{name} ({language}):\n" + "\n".join(problems)
