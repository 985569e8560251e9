"""`manage.py seed_demo`: the demo desk, created on the first run only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from config.demo import ADMIN_USERNAME, demo_password, password_path, seed


class Command(BaseCommand):
    help = (
        "Create demo data (admin 'admin', two agents in two teams, an inbox per channel, "
        "a dozen tickets in Persian and English). Idempotent: later runs change nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed()
        if created is None:
            self.stdout.write("demo data already present")
            return
        self.stdout.write(self.style.SUCCESS("Created the demo desk:"))
        self.stdout.write(f"  users: {', '.join(created.users) or '(existing)'}")
        self.stdout.write(f"  teams: {', '.join(created.teams)}")
        self.stdout.write(f"  inboxes: {', '.join(created.inboxes)}")
        self.stdout.write(
            f"  tickets: {created.tickets}, customer messages: {created.messages}, "
            f"agent actions: {created.agent_actions}"
        )
        self.stdout.write(f"  FAQ articles (fa + en): {created.articles}, at /help/")
        self.stdout.write(
            f"  phone line CTI endpoint: /api/v1/cti/{created.cti_token} (see docs/phone.md)"
        )
        self.stdout.write(
            f"  password of {ADMIN_USERNAME}, maryam and david: {demo_password()} "
            f"(kept in {password_path()})"
        )
