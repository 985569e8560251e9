"""Small builders for test data: named users, teams, inboxes, inbound messages."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from helpdesk.inbound import InboundAttachment, InboundMessage, Sender, ThreadHints
from helpdesk.models import Agent, ApiToken, Inbox, Role, Team

_seq = itertools.count(1)


def make_team(name: str) -> Team:
    return Team.objects.create(name=name)


def make_user(username: str, *, role: str = Role.AGENT, teams: list[Team] = ()) -> Any:  # type: ignore[assignment]
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    agent = Agent.objects.create(user=user, display_name=username.title(), role=role)
    agent.teams.set(teams)
    return user


def make_token(user: Any, scope: str = "admin") -> str:
    """A raw API token; the widest scope by default, so other tests see only the role's rules."""
    return ApiToken.issue(user, scope=scope)[1]


def make_inbox(team: Team, kind: str = "email", name: str | None = None) -> Inbox:
    return Inbox.objects.create(kind=kind, name=name or f"{kind} {team.name}", team=team)


_IDENTITY_FOR: dict[str, str] = {
    "email": "email",
    "telegram": "telegram",
    "webchat": "webchat",
    "phone": "phone",
}


def inbound(
    inbox: Inbox,
    *,
    sender: str = "customer@example.com",
    name: str = "A Customer",
    text: str = "Hello, I need help.",
    subject: str = "Help",
    external_id: str | None = None,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    ticket_number: int | None = None,
    attachments: tuple[InboundAttachment, ...] = (),
    received_at: datetime | None = None,
    html: str = "",
    auto_generated: bool = False,
) -> InboundMessage:
    return InboundMessage(
        inbox_id=inbox.pk,
        external_id=external_id or f"<msg-{next(_seq)}@example.com>",
        sender=Sender(kind=_IDENTITY_FOR[inbox.kind], address=sender, display_name=name),
        received_at=received_at or timezone.now(),
        subject=subject,
        text=text,
        html=html,
        attachments=attachments,
        thread=ThreadHints(
            in_reply_to=in_reply_to, references=references, ticket_number=ticket_number
        ),
        auto_generated=auto_generated,
    )


def run_queued_tasks(worker_id: str = "test-worker") -> None:
    """Run every task that is due with the real django-tasks-db worker, then return."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
