"""The rest of the demo desk: a bilingual FAQ, a web form, a phone line, automation.

Runs inside seed_demo's transaction, after the tickets exist.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from agents.models import CannedResponse
from channels_in.email.models import MailboxConfig, TlsMode
from channels_in.phone.models import PhoneLine
from helpdesk.models import BusinessHours, Inbox, InboxAutomation, Rule, Team
from knowledge_base.models import Article, Category
from knowledge_base.services import save_article

# (translation key, category slug, locale, slug, title, summary, body)
FAQ: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "password",
        "account",
        "en",
        "reset-password",
        "How do I reset my password?",
        "Use “Forgot password” on the login page; the link is valid for one hour.",
        "1. Open the login page and choose **Forgot password**.\n2. Enter your email address.\n"
        "3. Open the link we send within one hour.\n\nNo email? Check the spam folder.",
    ),
    (
        "password",
        "account",
        "fa",
        "بازیابی-رمز-عبور",
        "چطور رمز عبورم را بازیابی کنم؟",
        "در صفحه ورود «فراموشی رمز عبور» را بزنید؛ پیوند تا یک ساعت معتبر است.",
        "۱. صفحه ورود را باز کنید و **فراموشی رمز عبور** را بزنید.\n"
        "۲. نشانی ایمیل خود را وارد کنید.\n"
        "۳. پیوندی را که می‌فرستیم تا یک ساعت باز کنید.\n\nایمیلی نرسید؟ پوشه هرزنامه را ببینید.",
    ),
    (
        "refund",
        "billing",
        "en",
        "refunds",
        "When will I get my refund?",
        "Refunds reach your card within 3 to 7 working days after cancellation.",
        "After you cancel an order we refund the full amount to the same card.\n"
        "Banks take **3 to 7 working days** to show it.",
    ),
    (
        "refund",
        "billing",
        "fa",
        "بازگشت-وجه",
        "بازگشت وجه چقدر طول می‌کشد؟",
        "مبلغ ۳ تا ۷ روز کاری پس از لغو سفارش به کارت شما برمی‌گردد.",
        "پس از لغو سفارش، کل مبلغ به همان کارت بازگردانده می‌شود.\n"
        "بانک‌ها **۳ تا ۷ روز کاری** زمان می‌برند تا آن را نشان دهند.",
    ),
    (
        "delivery",
        "orders",
        "en",
        "change-delivery-address",
        "Can I change the delivery address?",
        "Yes, until the order ships: open the order and choose “Change address”.",
        "You can change the address until the order is shipped. Open **My orders**, choose the "
        "order and then **Change address**.",
    ),
    (
        "delivery",
        "orders",
        "fa",
        "تغییر-نشانی-تحویل",
        "آیا می‌توانم نشانی تحویل را تغییر دهم؟",
        "بله، تا پیش از ارسال سفارش: سفارش را باز کنید و «تغییر نشانی» را بزنید.",
        "تا پیش از ارسال سفارش می‌توانید نشانی را تغییر دهید. به **سفارش‌های من** بروید، سفارش را "
        "انتخاب کنید و **تغییر نشانی** را بزنید.",
    ),
]

CATEGORIES = [
    ("account", "Account", "حساب کاربری"),
    ("billing", "Billing", "پرداخت و صورت‌حساب"),
    ("orders", "Orders and delivery", "سفارش و ارسال"),
]

IRANIAN_WEEK = {
    **{day: [["08:00", "17:00"]] for day in ("sat", "sun", "mon", "tue", "wed")},
    "thu": [["08:00", "12:00"]],
    "fri": [],
}


def faq() -> int:
    categories = {
        slug: Category.objects.create(slug=slug, name_en=en, name_fa=fa, position=n)
        for n, (slug, en, fa) in enumerate(CATEGORIES)
    }
    for key, category, locale, slug, title, summary, body in FAQ:
        save_article(
            Article(
                translation_key=key,
                category=categories[category],
                locale=locale,
                slug=slug,
                title=title,
                summary=summary,
                body=body,
                status="published",
            )
        )
    return len(FAQ)


def web_form(support: Team) -> Inbox:
    inbox, _ = Inbox.objects.get_or_create(
        kind="webform", name="Help center form", defaults={"team": support}
    )
    return inbox


def phone_line(inbox: Inbox) -> str:
    """The demo line's CTI token (only its hash is stored)."""
    line = PhoneLine(inbox=inbox, numbers=["+982112345678"])
    token = line.new_token()
    line.save()
    return token


def automation(email: Inbox) -> None:
    hours = BusinessHours.objects.create(
        name="Tehran office", time_zone="Asia/Tehran", weekly=IRANIAN_WEEK
    )
    InboxAutomation.objects.create(
        inbox=email,
        business_hours=hours,
        acknowledge=True,
        acknowledgement={
            "en": "Hello {{contact.name}}, we received your request #{{ticket.number}} "
            "and will answer soon.",
            "fa": "{{contact.name}} عزیز، درخواست شماره {{ticket.number}} شما دریافت شد و "
            "به زودی پاسخ می‌دهیم.",
        },
        out_of_office={
            "en": "Thanks for writing. We are closed now (Sat–Wed 8–17, Thu 8–12 Tehran time) "
            "and will answer #{{ticket.number}} when we open.",
            "fa": "از پیام شما سپاسگزاریم. اکنون خارج از ساعت کاری هستیم (شنبه تا چهارشنبه ۸ تا "
            "۱۷، پنجشنبه ۸ تا ۱۲) و در اولین فرصت به درخواست {{ticket.number}} پاسخ می‌دهیم.",
        },
        suggest_articles=True,
    )
    Rule.objects.create(
        name="Refund requests are high priority",
        trigger="ticket_created",
        conditions=[{"field": "text", "op": "contains", "value": ["refund", "بازگشت وجه"]}],
        actions=[{"type": "add_tag", "tag": "refund"}, {"type": "set_priority", "priority": 3}],
    )


def canned(teams: dict[str, Team]) -> None:
    for team in teams.values():
        CannedResponse.objects.create(
            team=team,
            shortcut="thanks",
            title="Thanks",
            body="Thank you for your patience, {{contact.name}}!",
        )
        CannedResponse.objects.create(
            team=team,
            shortcut="مرسی",
            title="تشکر",
            body="از صبر و شکیبایی شما سپاسگزاریم.",
        )


DEMO_FROM = "support@desk.example"


def mailbox(inbox: Inbox) -> None:
    """The demo mailbox sends through the local SMTP sink that `make run` serves
    (config/mail_sink.py), so its replies are sent and can be read at /dev/mail/."""
    MailboxConfig.objects.get_or_create(
        inbox=inbox,
        defaults={
            "smtp_host": "127.0.0.1",
            "smtp_port": settings.HELPDESK_MAIL_SINK_PORT,
            "smtp_tls": TlsMode.NONE,
            "from_address": DEMO_FROM,
            "from_name": "Demo support",
            "timeout": 10,
        },
    )


def seed_extras(teams: dict[str, Team], inboxes: dict[str, Inbox]) -> dict[str, Any]:
    support = next(t for name, t in teams.items() if name.startswith("Support"))
    mailbox(inboxes["email"])
    web_form(support)
    articles = faq()
    token = phone_line(inboxes["phone"])
    automation(inboxes["email"])
    canned(teams)
    return {"articles": articles, "cti_token": token}
