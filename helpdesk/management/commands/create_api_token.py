"""`manage.py create_api_token USERNAME`: issue an API token and print it once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from helpdesk.actions.errors import ActionError
from helpdesk.models import TokenScope
from helpdesk.staff.tokens import do_issue_token


class Command(BaseCommand):
    help = "Create a JSON API token for USERNAME and print it (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label to recognise the token by")
        parser.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.TICKETS,
            help="read (GET only), tickets (the daily work, the default) or admin (also merges)",
        )
        parser.add_argument(
            "--expires-days", type=int, default=None, help="the token stops working after N days"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1")
        expires = timezone.now() + timedelta(days=days) if days else None
        try:
            _token, raw = do_issue_token(
                None, user, name=options["name"], scope=options["scope"], expires_at=expires
            )
        except ActionError as exc:
            raise CommandError(f"{username!r}: {exc.message}") from exc
        if options["verbosity"] >= 1:
            self.stderr.write(
                f"Token for {username} (shown once; send it as 'Authorization: Bearer <token>'):"
            )
        self.stdout.write(raw)
