"""Demo data for the run command: teams, agents, one inbox per channel, a dozen tickets.

Everything customers "send" goes through `helpdesk.ingest.receive` and everything
agents do goes through actions, so the demo has the same events and queued
deliveries as real traffic.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from channels_in.webchat.models import WebchatConfig, WebchatConversation
from config.demo_channels import seed_channels
from config.demo_crm import seed_crm
from config.demo_extras import seed_extras
from config.demo_notifications import seed_notifications
from config.demo_portal import seed_portal
from config.demo_reports import seed_reports
from config.demo_sla import seed_sla
from config.demo_sms import seed_sms
from config.demo_surveys import seed_surveys
from config.demo_webhooks import seed_webhooks
from config.demo_work import seed_work
from helpdesk import identities
from helpdesk.actions.messages import (
    do_add_note,
    do_record_delivery,
    do_reply,
    do_start_delivery,
)
from helpdesk.actions.tickets import (
    do_assign,
    do_claim,
    do_set_priority,
    do_set_status,
    do_set_tags,
)
from helpdesk.inbound import InboundMessage, Sender, ThreadHints
from helpdesk.ingest import receive
from helpdesk.models import (
    Agent,
    DeliveryStatus,
    Inbox,
    Message,
    Priority,
    Role,
    Team,
    Ticket,
    TicketStatus,
)

ADMIN_USERNAME = "admin"
SALES = "Sales · فروش"
SUPPORT = "Support · پشتیبانی"
LOGIN_FILE = "demo-password.txt"


def password_path() -> Path:
    return Path(settings.VAR_DIR) / LOGIN_FILE


def demo_password() -> str:
    """The demo password, generated once into the ignored var/ directory."""
    path = password_path()
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = "demo-" + secrets.token_urlsafe(9)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


def login_hint() -> str | None:
    """'as admin with password …' when the demo admin still has the demo password."""
    path = password_path()
    user = get_user_model().objects.filter(username=ADMIN_USERNAME).first()
    if user is None or not path.exists():
        return None
    password = path.read_text(encoding="utf-8").strip()
    if not user.check_password(password):
        return None
    return f"as {ADMIN_USERNAME} with password {password}"


def is_present() -> bool:
    return Team.objects.filter(name__in=[SALES, SUPPORT]).exists()


@dataclass
class Created:
    users: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    inboxes: list[str] = field(default_factory=list)
    tickets: int = 0
    messages: int = 0
    agent_actions: int = 0
    articles: int = 0
    cti_token: str = ""


# (channel, language, sender address, display name, subject, text)
TICKETS: list[tuple[str, str, str, str, str, str]] = [
    (
        "email",
        "en",
        "jane.doe@example.com",
        "Jane Doe",
        "Cannot log in to my account",
        "Hi, since yesterday the password reset link says it has expired. Can you help?",
    ),
    (
        "email",
        "fa",
        "reza.karimi@example.ir",
        "رضا کریمی",
        "مشکل در پرداخت فاکتور",
        "سلام، هنگام پرداخت فاکتور شماره ۴۸۲۱ خطای درگاه بانکی می‌گیرم. لطفاً راهنمایی کنید.",
    ),
    (
        "email",
        "en",
        "accounts@acme.example",
        "Acme Accounts",
        "Invoice 4821 lacks our VAT number",
        "Please reissue invoice 4821 with our VAT number GB123456789.",
    ),
    (
        "email",
        "fa",
        "neda.h@example.ir",
        "ندا حسینی",
        "درخواست بازگشت وجه",
        "سفارشم را لغو کردم ولی هنوز مبلغ به حسابم برنگشته است.",
    ),
    (
        "webchat",
        "en",
        "visitor-demo-1",
        "Tom",
        "Do you offer a yearly plan?",
        "Hello! Is there a yearly plan with a discount?",
    ),
    (
        "webchat",
        "fa",
        "visitor-demo-2",
        "سارا",
        "قیمت نسخه سازمانی",
        "سلام، قیمت نسخه سازمانی برای ۲۰ کاربر چقدر است؟",
    ),
    (
        "webchat",
        "en",
        "visitor-demo-3",
        "Priya",
        "Nonprofit discount",
        "We are a small charity. Do you have a discount for nonprofits?",
    ),
    (
        "telegram",
        "fa",
        "700100200",
        "علی رضایی",
        "ربات پیام‌ها را ارسال نمی‌کند",
        "ربات شما از دیروز به پیام‌های من جواب نمی‌دهد.",
    ),
    (
        "telegram",
        "en",
        "700100201",
        "Mark",
        "Change delivery address",
        "How do I change the delivery address of order 1093?",
    ),
    (
        "telegram",
        "fa",
        "700100202",
        "مینا",
        "سفارش من هنوز نرسیده است",
        "سفارش ۱۰۹۸ را هفته پیش ثبت کردم و هنوز نرسیده است.",
    ),
    (
        "phone",
        "fa",
        "+98 912 345 6789",
        "",
        "تماس از دست رفته",
        "پیام صوتی: لطفاً برای خرید عمده با من تماس بگیرید.",
    ),
    (
        "phone",
        "en",
        "+44 20 7946 0958",
        "",
        "Voicemail: enterprise quote",
        "Voicemail: please call me back about the enterprise quote we discussed.",
    ),
]

INBOXES: list[tuple[str, str, str]] = [
    ("email", "Support mailbox", SUPPORT),
    ("webchat", "Website chat", SALES),
    ("telegram", "Telegram bot", SUPPORT),
    ("phone", "Phone line", SALES),
]

_IDENTITY = {
    "email": identities.EMAIL,
    "webchat": "webchat",
    "telegram": "telegram",
    "phone": identities.PHONE,
}


def _user(username: str, password: str, *, staff: bool = False) -> tuple[Any, bool]:
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = user_model.objects.create_user(
        username=username, password=password, is_staff=staff, is_superuser=staff
    )
    return user, True


def _people(created: Created, password: str) -> dict[str, Any]:
    sales, _ = Team.objects.get_or_create(name=SALES)
    support, _ = Team.objects.get_or_create(name=SUPPORT)
    created.teams += [SALES, SUPPORT]
    people: dict[str, Any] = {}
    # (username, display name, role, teams, language, superuser)
    specs = [
        (ADMIN_USERNAME, "Admin", Role.ADMIN, [sales, support], "en", True),
        ("maryam", "مریم احمدی", Role.AGENT, [support], "fa", False),
        ("david", "David Miller", Role.AGENT, [sales], "en", False),
    ]
    for username, display, role, teams, language, staff in specs:
        user, new = _user(username, password, staff=staff)
        if new:
            created.users.append(username)
        agent, _ = Agent.objects.get_or_create(
            user=user, defaults={"display_name": display, "role": role, "language": language}
        )
        agent.teams.add(*teams)
        people[username] = user
    people["teams"] = {SALES: sales, SUPPORT: support}
    return people


def _inboxes(created: Created, teams: dict[str, Team]) -> dict[str, Inbox]:
    found: dict[str, Inbox] = {}
    for kind, name, team in INBOXES:
        inbox, new = Inbox.objects.get_or_create(
            kind=kind, name=name, defaults={"team": teams[team]}
        )
        if new:
            created.inboxes.append(name)
        found[kind] = inbox
    return found


def _chat_visitors(inbox: Inbox) -> None:
    """The demo's chat customers as the widget would have left them: a conversation each,
    so agents' replies are kept for them (sent, not seen yet) rather than refused."""
    config = WebchatConfig.objects.get_or_create(inbox=inbox)[0]
    for kind, language, address, name, *_ in TICKETS:
        if kind == "webchat":
            WebchatConversation.objects.get_or_create(
                visitor_id=address, defaults={"config": config, "name": name, "language": language}
            )


def _customers(created: Created, inboxes: dict[str, Inbox]) -> list[Ticket]:
    _chat_visitors(inboxes["webchat"])
    now = timezone.now()
    tickets: list[Ticket] = []
    for n, (kind, language, address, name, subject, text) in enumerate(TICKETS):
        hints = ThreadHints()
        result = receive(
            InboundMessage(
                inbox_id=inboxes[kind].pk,
                external_id=f"<demo-{n + 1}@demo.helpdesk>" if kind == "email" else f"demo-{n + 1}",
                sender=Sender(kind=_IDENTITY[kind], address=address, display_name=name),
                received_at=now - timedelta(hours=3 * (len(TICKETS) - n)),
                subject=subject,
                text=text,
                thread=hints,
                language=language,
            )
        )
        created.messages += int(result.created)
        created.tickets += int(result.ticket_created)
        tickets.append(result.ticket)
    return tickets


def _follow_up(created: Created, inboxes: dict[str, Inbox]) -> None:
    # A customer's answer threads into ticket 2 by its In-Reply-To header.
    result = receive(
        InboundMessage(
            inbox_id=inboxes["email"].pk,
            external_id="<demo-followup@demo.helpdesk>",
            sender=Sender(kind=identities.EMAIL, address="reza.karimi@example.ir"),
            received_at=timezone.now() - timedelta(minutes=20),
            subject="Re: مشکل در پرداخت فاکتور",
            text="ممنون. با کارت دیگری امتحان کردم و باز هم همان خطا آمد.",
            thread=ThreadHints(in_reply_to="<demo-2@demo.helpdesk>"),
            language="fa",
        )
    )
    created.messages += int(result.created)


def _agent_work(created: Created, people: dict[str, Any], tickets: list[Ticket]) -> None:
    admin, maryam, david = people[ADMIN_USERNAME], people["maryam"], people["david"]
    steps: list[Any] = [
        lambda: do_assign(admin, tickets[0].pk, maryam.pk),
        lambda: do_claim(maryam, tickets[1].pk),
        lambda: do_reply(
            maryam, tickets[1].pk, "سلام، لطفاً یک بار دیگر با مرورگر دیگری امتحان کنید."
        ),
        lambda: do_set_priority(admin, tickets[2].pk, Priority.HIGH),
        # The admin's own "Mine" list is where the inbox opens: give it work.
        lambda: do_claim(admin, tickets[2].pk),
        lambda: do_claim(admin, tickets[9].pk),
        lambda: do_set_tags(admin, tickets[3].pk, ["refund", "بازگشت-وجه"]),
        lambda: do_claim(david, tickets[4].pk),
        lambda: do_reply(david, tickets[4].pk, "Yes: the yearly plan saves two months."),
        lambda: do_reply(
            david, tickets[6].pk, "We do: 50% off for registered charities.", resolve=True
        ),
        lambda: do_add_note(maryam, tickets[7].pk, "با تیم فنی هماهنگ شد؛ منتظر پاسخ."),
        # A reply whose worker stopped mid-send: shown as "may have been sent — resend?".
        lambda: _interrupted(
            do_reply(maryam, tickets[0].pk, "سفارش شما امروز ارسال شد؛ کد رهگیری را پیامک کردیم.")
        ),
        lambda: do_set_status(admin, tickets[11].pk, TicketStatus.PENDING),
    ]
    for step in steps:
        step()
        created.agent_actions += 1


def _interrupted(message: Message) -> None:
    """Leave a demo reply as a crashed worker would: uncertain, waiting for an agent."""
    attempt = do_start_delivery(message.pk)
    do_record_delivery(
        message.pk,
        status=DeliveryStatus.UNCERTAIN,
        error="the worker stopped during the send; the mail may have arrived (demo)",
        attempt=attempt,
    )


def seed() -> Created | None:
    """Create the demo unless it is already there (then return None and change nothing)."""
    if is_present():
        return None
    password = demo_password()
    created = Created()
    with transaction.atomic():
        people = _people(created, password)
        inboxes = _inboxes(created, people["teams"])
        tickets = _customers(created, inboxes)
        _follow_up(created, inboxes)
        _agent_work(created, people, tickets)
        seed_work(people, tickets)
        extras = seed_extras(people["teams"], inboxes)
        seed_sms(inboxes)
        seed_channels(inboxes)
        seed_sla()
        seed_crm(people[ADMIN_USERNAME])
        seed_webhooks(people[ADMIN_USERNAME])
        seed_notifications(people)
        seed_surveys(inboxes, tickets)
        seed_reports(people, inboxes)
        seed_portal(inboxes)
        created.articles = extras["articles"]
        created.cti_token = extras["cti_token"]
    return created
