"""`manage.py create_api_token USERNAME`: issue an API token and print it once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from helpdesk.models import ApiToken


class Command(BaseCommand):
    help = "Create a JSON API token for USERNAME and print it (only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label to recognise the token by")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user_model = get_user_model()
        user = user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if not user.is_active:
            raise CommandError(f"user {username!r} is deactivated; a token would not work")
        _token, raw = ApiToken.issue(user, name=options["name"][:100])
        if options["verbosity"] >= 1:
            self.stderr.write(
                f"Token for {username} (shown once; send it as 'Authorization: Bearer <token>'):"
            )
        self.stdout.write(raw)
