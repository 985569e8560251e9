"""manage.py telegram_webhook INBOX [--delete]: set (or remove) a bot's webhook."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from channels_in.telegram.models import Mode, TelegramConfig
from channels_in.telegram.setup import SetupError, delete_webhook, set_webhook


class Command(BaseCommand):
    help = (
        "Point a Telegram inbox's bot at PUBLIC_BASE_URL/channels/telegram/<inbox>/webhook/ "
        "with a new random secret_token (or remove the webhook with --delete)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("inbox", help="the inbox id or name")
        parser.add_argument("--delete", action="store_true", help="remove the webhook instead")

    def handle(self, *args: Any, **options: Any) -> None:
        config = _find(str(options["inbox"]))
        try:
            if options["delete"]:
                delete_webhook(config)
                self.stdout.write(f"webhook removed for {config.inbox.name}")
                return
            url = set_webhook(config)
        except SetupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"webhook set for {config.inbox.name}: {url}")
        if not url.startswith("https://"):
            self.stderr.write("warning: Telegram only calls https:// URLs (see docs/telegram.md)")
        if config.mode != Mode.WEBHOOK:
            self.stderr.write("warning: this inbox is in polling mode; the poller removes webhooks")


def _find(value: str) -> TelegramConfig:
    rows = TelegramConfig.objects.select_related("inbox")
    found = rows.filter(inbox_id=int(value)) if value.isdigit() else rows.filter(inbox__name=value)
    configs = list(found[:2])
    if len(configs) != 1:
        raise CommandError(f"no single Telegram inbox matches {value!r}")
    return configs[0]
