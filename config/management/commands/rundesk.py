"""`manage.py rundesk`: web + task worker + channel listeners in one process."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from config import mail_sink
from config.demo import login_hint
from helpdesk.runner import Pool, TaskWorker, serve


def _default_port() -> int:
    raw = os.environ.get("PORT", "8000")
    try:
        return int(raw)
    except ValueError as exc:
        raise CommandError(f"PORT must be an integer, got {raw!r}") from exc


def shows_demo_password() -> bool:
    """The demo password is printed in development or demo mode, never in production."""
    if getattr(settings, "PRODUCTION", False):
        return False
    return bool(settings.DEBUG or getattr(settings, "HELPDESK_DEMO", False))


def login_line(url: str, hint: str | None) -> str | None:
    """What the ready message says about logging in (the password only where allowed)."""
    if not hint:
        return None
    if shows_demo_password():
        return f"Log in at {url}login/ {hint}"
    return f"Log in at {url}login/ (the demo password is in var/demo-password.txt)"


class Command(BaseCommand):
    help = (
        "Serve the desk in one process: uvicorn (HTTP + WebSocket), the task worker and "
        "every channel listener. Production runs them separately (see docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=None, help="default: $PORT or 8000")
        parser.add_argument("--no-worker", action="store_true", help="do not run tasks")
        parser.add_argument("--no-listeners", action="store_true", help="no channel listeners")
        parser.add_argument("--worker-interval", type=float, default=1.0)
        parser.add_argument(
            "--no-mail-sink",
            action="store_true",
            help="do not serve the local SMTP sink (served in development and demo mode only)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from helpdesk.channels import get_listeners

        host: str = options["host"]
        port: int = options["port"] if options["port"] is not None else _default_port()
        members: list[Any] = []
        if not options["no_worker"]:
            members.append(TaskWorker(interval=options["worker_interval"]))
        if not options["no_listeners"]:
            members.extend(get_listeners())
        sink = mail_sink.enabled() and not options["no_mail_sink"]
        if sink:
            members.append(mail_sink.MailSink(mail_sink.folder(), port=mail_sink.port()))
        pool = Pool(members)
        hint = login_hint()  # before serving: the ORM may not run on the server's loop

        def ready(bound_host: str, bound_port: int) -> None:
            shown = "127.0.0.1" if bound_host in {"0.0.0.0", "::"} else bound_host  # noqa: S104
            shown = f"[{shown}]" if ":" in shown else shown
            url = f"http://{shown}:{bound_port}/"
            names = ", ".join(item.name for item in pool.supervised) or "nothing else"
            self.stdout.write(self.style.SUCCESS(f"The desk is ready at {url}"), ending="\n")
            self.stdout.write(f"Running in this process: web, {names}")
            line = login_line(url, hint)
            if line:
                self.stdout.write(line)
            if sink:
                self.stdout.write(
                    f"Mail the desk sends stops at the local SMTP sink "
                    f"({mail_sink.HOST}:{mail_sink.port()}): read it at {url}dev/mail/"
                )
            self.stdout.write("Press Ctrl+C to stop.")
            self.stdout.flush()

        started = serve(
            host,
            port,
            pool=pool,
            static=settings.DEBUG,
            on_ready=ready,
            verbosity=int(options["verbosity"]),
        )
        if not started:
            raise CommandError(f"could not serve on {host}:{port} (see the log above)")
        self.stdout.write("The desk has stopped.")
