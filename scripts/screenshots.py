"""`make screenshots`: every main page in each mode as PNG, and the inbox's first-load weight.

Starts the desk as production would serve it (DEBUG off, static files collected and
compressed by WhiteNoise) on a temporary SQLite database with the demo data, then
drives headless Chromium through the main pages in English and Persian, light and
dark, desktop (1400x900) and phone (390x844), writing var/screenshots/*.png. It
also loads the inbox in each language with a cold cache and prints the bytes that crossed the
wire (headers + bodies as served, compressed where the desk compresses), the
figure recorded in docs/BENCHMARKS.md. `--gallery DIR` copies a few shots for docs.

    .venv/bin/python scripts/screenshots.py [--out var/screenshots] [--gallery docs/img]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(ROOT))

from tests import chromium  # noqa: E402 (the one way this repo starts Chromium)

REPORT_SECTIONS = [
    "overview",
    "conversations",
    "agents",
    "teams",
    "channels",
    "csat",
    "nps",
    "sla",
    "churn",
]

PAGES = [
    "inbox",
    "ticket",
    "ticket-header",
    "contact",
    "calls",
    "portal",
    "article",
    "widget",
    "login",
    "admin",
    # CRM, work and notifications
    "contacts",
    "companies",
    "company",
    "segments",
    "tasks-mine",
    "tasks-team",
    "tasks-overdue",
    "macros",
    "notifications",
    "notifications-bell",
    "notification-preferences",
    # reports, one shot per section
    *(f"reports-{section}" for section in REPORT_SECTIONS),
    # public pages: the survey, the customer portal (signed in as the demo customer)
    "survey",
    "portal-sign-in",
    "portal-requests",
    "portal-request",
    "portal-new",
    # admin pages
    "admin-sla",
    "admin-sla-policy",
    "admin-surveys",
    "admin-nps",
    "admin-webhooks",
]
DEVICES = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
THEMES = ["light", "dark"]
LANGUAGES = ["en", "fa"]
MODES = [f"{lang}-{theme}-{device}" for lang in LANGUAGES for theme in THEMES for device in DEVICES]
# The small gallery of docs/ui.md: (page, language, theme, device).
GALLERY = [
    ("inbox", "en", "light", "desktop"),
    ("inbox", "fa", "dark", "desktop"),
    ("ticket", "en", "light", "phone"),
    ("ticket", "fa", "dark", "phone"),
    ("portal", "fa", "light", "phone"),
]
# Pages shot without the agent's session; the portal's are signed in as its customer.
PUBLIC = {"login", "survey", "portal-sign-in"}
CUSTOMER = {"portal-requests", "portal-request", "portal-new"}
# Pages shot after a click (a menu that opens on demand): page -> selector to click.
CLICKS = {"notifications-bell": "#notif-button"}
# Pages shot after a script: a ticket opens at its newest message, its header (SLA badge) above.
SCRIPTS = {
    "ticket-header": "document.querySelectorAll('.pane').forEach(p => p.scrollTo(0, 0));"
    " window.scrollTo(0, 0)"
}
START_TIMEOUT = 240.0
WAIT_MS = 15_000

PATHS_CODE = """
import json
from channels_in.portal.signin import ticket_token
from helpdesk.models import Company, Contact, Ticket
from helpdesk.sla.models import SlaPolicy
from helpdesk.surveys.models import SurveyRequest
from helpdesk.surveys.tokens import make_token
from knowledge_base.models import Article
ticket = Ticket.objects.filter(assignee__username="admin").order_by("id").first()
contact = Contact.objects.filter(name__gt="").order_by("id").first()
company = Company.objects.order_by("id").first()
surveys = SurveyRequest.objects.filter(sent_at__isnull=False).order_by("id")
survey = {s.language or "en": make_token(s.pk) for s in surveys.reverse()}
portal = Ticket.objects.filter(inbox__kind="portal").order_by("id").first()
print(json.dumps({
    "ticket": ticket.pk,
    "contact": contact.pk,
    "company": company.pk,
    "survey": {lang: survey.get(lang) or next(iter(survey.values())) for lang in ("en", "fa")},
    "portal_ticket": portal.pk,
    "portal_link": ticket_token(portal.contact_id, portal.pk),
    "sla_policy": SlaPolicy.objects.order_by("id").first().pk,
    "articles": {a.locale: a.slug for a in Article.objects.order_by("-id")},
}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def desk_env(var_dir: Path, port: int) -> dict[str, str]:
    """Production-like settings on a throwaway database (no Redis, no PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{var_dir}/desk.sqlite3",
        HELPDESK_VAR_DIR=str(var_dir),
        STATIC_ROOT=str(var_dir / "static"),
        DEBUG="0",
        HELPDESK_DEMO="1",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_COOKIES="0",  # plain http on loopback
        SECRET_KEY=secrets.token_urlsafe(50),
        HELPDESK_MAIL_SINK_PORT=str(free_port()),
        PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def running_desk(var_dir: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The desk on a free port with the demo loaded; yields (base URL, page facts)."""
    port = free_port()
    env = desk_env(var_dir, port)
    manage(env, "migrate", "--no-input", "-v", "0")
    manage(env, "seed_demo")
    manage(env, "collectstatic", "--no-input", "-v", "0")
    facts = json.loads(manage(env, "shell", "-c", PATHS_CODE).strip().splitlines()[-1])
    facts["password"] = (var_dir / "demo-password.txt").read_text(encoding="utf-8").strip()
    log = (var_dir / "desk.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [PYTHON, "manage.py", "rundesk", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "The desk is ready" not in (var_dir / "desk.log").read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the desk did not start:\n" + (var_dir / "desk.log").read_text())
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", facts
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def page_paths(facts: dict[str, Any], language: str) -> dict[str, str]:
    return {
        "inbox": "/",
        "ticket": f"/t/{facts['ticket']}/",
        "ticket-header": f"/t/{facts['ticket']}/",
        "contact": f"/c/{facts['contact']}/",
        "calls": "/calls/",
        "portal": f"/help/{language}/",
        "article": f"/help/{language}/a/{facts['articles'][language]}/",
        "widget": f"/chat/demo/?lang={language}",
        "login": "/login/",
        "admin": "/admin/",
        "contacts": "/contacts/",
        "companies": "/contacts/companies/",
        "company": f"/contacts/companies/{facts['company']}/",
        "segments": "/contacts/segments/",
        "tasks-mine": "/tasks/",
        "tasks-team": "/tasks/?list=team",
        "tasks-overdue": "/tasks/?list=overdue",
        "macros": "/macros/",
        "notifications": "/notifications/",
        "notifications-bell": "/",
        "notification-preferences": "/me/notifications/",
        **{f"reports-{s}": f"/reports/?section={s}" for s in REPORT_SECTIONS},
        "survey": f"/survey/{facts['survey'][language]}/",
        "portal-sign-in": f"/portal/{language}/sign-in/",
        "portal-requests": f"/portal/{language}/",
        "portal-request": f"/portal/{language}/requests/{facts['portal_ticket']}/",
        "portal-new": f"/portal/{language}/new/",
        "admin-sla": "/admin/sla/slapolicy/",
        "admin-sla-policy": f"/admin/sla/slapolicy/{facts['sla_policy']}/change/",
        "admin-surveys": "/admin/surveys/inboxsurvey/",
        "admin-nps": "/admin/surveys/npscampaign/",
        "admin-webhooks": "/admin/outbound_webhooks/subscription/",
    }


def log_in(browser: Any, url: str, password: str, language: str) -> dict[str, Any]:
    """The demo admin's session, its language switched as an agent would (account menu)."""
    context = browser.new_context(base_url=url)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", password)
    page.click("form button[type=submit]")
    page.wait_for_url(url + "/", timeout=WAIT_MS)
    token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    answer = context.request.post(
        "/me/language/",
        form={"language": language},
        headers={"X-CSRFToken": token, "Referer": url + "/"},
        max_redirects=0,
    )
    if answer.status >= 400:
        raise SystemExit(f"switching the admin to {language} failed: {answer.status}")
    state: dict[str, Any] = context.storage_state()
    context.close()
    return state


def first_load_bytes(browser: Any, url: str, state: dict[str, Any]) -> tuple[int, list[str]]:
    """(bytes on the wire, the largest responses) for the inbox with a cold cache."""
    context = browser.new_context(base_url=url, storage_state=state, viewport=DEVICES["desktop"])
    page = context.new_page()
    finished: list[Any] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto("/", wait_until="networkidle")
    weights = []
    for request in finished:
        sizes = request.sizes()
        weight = sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0)
        weights.append((weight, request.url.removeprefix(url)))
    context.close()
    weights.sort(reverse=True)
    largest = [f"{w / 1024:7.1f} KiB  {path}" for w, path in weights[:6]]
    return sum(w for w, _ in weights), [f"{len(weights)} responses; the largest:", *largest]


def open_page(context: Any, facts: dict[str, Any], name: str, path: str, agent: Any) -> Any:
    """A new tab on `path` with the session the page needs (agent, customer or none)."""
    context.clear_cookies()
    if name not in PUBLIC | CUSTOMER:
        context.add_cookies(agent)
    page = context.new_page()
    if name in CUSTOMER:  # the mail link signs the demo customer in
        language = path.split("/")[2]
        page.goto(f"/portal/{language}/open/{facts['portal_link']}/", timeout=WAIT_MS)
    page.goto(path, wait_until="networkidle", timeout=WAIT_MS)
    if name in CLICKS:
        page.click(CLICKS[name])
        page.wait_for_load_state("networkidle", timeout=WAIT_MS)
    if name in SCRIPTS:
        page.evaluate(SCRIPTS[name])
    return page


def shoot(
    browser: Any, url: str, facts: dict[str, Any], out: Path, pages: list[str], modes: list[str]
) -> int:
    count = 0
    for language in LANGUAGES:
        state = log_in(browser, url, facts["password"], language)
        for theme in THEMES:
            for device, viewport in DEVICES.items():
                if f"{language}-{theme}-{device}" not in modes:
                    continue
                context = browser.new_context(
                    base_url=url,
                    viewport=viewport,
                    color_scheme=theme,
                    locale="fa-IR" if language == "fa" else "en-US",
                )
                paths = page_paths(facts, language)
                for name in pages:
                    page = open_page(context, facts, name, paths[name], state["cookies"])
                    page.screenshot(path=out / f"{name}-{language}-{theme}-{device}.png")
                    page.close()
                    count += 1
                context.close()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "screenshots")
    parser.add_argument("--gallery", type=Path, help="also copy a few shots here (docs/img)")
    parser.add_argument(
        "--pages", nargs="+", choices=PAGES, default=PAGES, metavar="PAGE", help="only these pages"
    )
    parser.add_argument(
        "--modes",
        nargs="+",
        choices=MODES,
        default=MODES,
        metavar="MODE",
        help="e.g. fa-dark-desktop",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="desk-shots-") as tmp,
        running_desk(Path(tmp)) as (url, facts),
        sync_playwright() as p,
    ):
        browser = chromium.launch(p)
        loads = {}
        for language in LANGUAGES:
            state = log_in(browser, url, facts["password"], language)
            loads[language] = first_load_bytes(browser, url, state)
        count = shoot(browser, url, facts, args.out, args.pages, args.modes)
        browser.close()
    print(f"wrote {count} screenshots to {args.out}")
    for language, (weight, largest) in loads.items():
        print(
            f"first load of the inbox in {language} (cold cache, as served): "
            f"{weight / 1024:.1f} KiB"
        )
        print("\n".join(largest))
    if args.gallery:
        args.gallery.mkdir(parents=True, exist_ok=True)
        for name, language, theme, device in GALLERY:
            shot = f"{name}-{language}-{theme}-{device}.png"
            shutil.copyfile(args.out / shot, args.gallery / shot)
        print(f"copied {len(GALLERY)} shots to {args.gallery}")


if __name__ == "__main__":
    main()
