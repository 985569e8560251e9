"""Demo work on tickets (issue 19): follow-up tasks (one overdue, one call-back, one for
the team), a referral with a note, and two shared macros and a personal one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from helpdesk.followups.actions import do_create_task
from helpdesk.followups.models import TaskKind
from helpdesk.followups.referrals import do_refer_ticket
from helpdesk.macros.models import AssignTo, Macro
from helpdesk.models import Priority, Ticket, TicketStatus


def seed_work(people: dict[str, Any], tickets: list[Ticket]) -> None:
    """Tasks, a referral and macros on the demo's tickets (through the actions)."""
    admin, maryam, david = people["admin"], people["maryam"], people["david"]
    now = timezone.now()
    first, second = tickets[0], tickets[1]
    do_create_task(
        maryam,
        title="پیگیری ارسال سفارش با انبار",
        notes="کد رهگیری را به مشتری پیامک کنید.",
        due_at=now - timedelta(hours=2),  # overdue: the reminder goes out on the first round
        ticket_id=first.pk,
        assignee_id=maryam.pk,
    )
    do_create_task(
        maryam,
        title="Call back the customer about the login problem",
        kind=TaskKind.CALLBACK,
        due_at=now + timedelta(hours=3),
        ticket_id=second.pk,
        call_number="+989121234567",
    )
    do_create_task(
        david,
        title="Send the yearly-plan quote",
        due_at=now + timedelta(days=1),
        ticket_id=tickets[4].pk,
        assignee_id=david.pk,
    )
    do_create_task(admin, title="Review this week's refunds", due_at=now + timedelta(days=2))
    do_refer_ticket(
        admin,
        tickets[3].pk,
        to_user_id=maryam.pk,
        note="مشتری قدیمی است؛ لطفاً امروز پاسخ دهید.",
    )
    _macros(maryam)


def _macros(owner: Any) -> None:
    Macro.objects.get_or_create(
        name="Refund approved · بازپرداخت تأیید شد",
        defaults={
            "reply_template": (
                "{{contact.name}} عزیز، بازپرداخت درخواست #{{ticket.number}} تأیید شد "
                "و تا سه روز کاری به حساب شما واریز می‌شود."
            ),
            "note_template": "Refund approved by {{agent.name}}.",
            "add_tags": "refund",
            "status": TicketStatus.RESOLVED,
            "assign": AssignTo.ME,
        },
    )
    Macro.objects.get_or_create(
        name="Escalate to urgent",
        defaults={"priority": Priority.URGENT, "add_tags": "escalated", "assign": AssignTo.ME},
    )
    Macro.objects.get_or_create(
        name="منتظر پاسخ مشتری",
        owner=owner,
        defaults={"note_template": "منتظر پاسخ مشتری هستیم.", "status": TicketStatus.PENDING},
    )
