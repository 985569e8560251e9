"""`manage.py listen`: every channel listener (IMAP IDLE, Telegram polling) until SIGTERM."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from helpdesk.runner import listener_pool


class Command(BaseCommand):
    help = (
        "Run every installed channel listener, each in a thread. A failing listener is "
        "restarted with backoff and does not stop the others. Stops on SIGINT/SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-backoff", type=float, default=60.0)

    def handle(self, *args: Any, **options: Any) -> None:
        pool = listener_pool(max_backoff=options["max_backoff"])
        done = threading.Event()

        def stop(signum: int, frame: FrameType | None) -> None:
            done.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        if not pool.supervised:
            self.stdout.write("No channel listeners are installed; waiting for a signal.")
        pool.start()
        self.stdout.write(
            "Listening: " + (", ".join(item.name for item in pool.supervised) or "none")
        )
        self.stdout.flush()
        # Event.wait with a timeout lets the main thread run the signal handlers promptly.
        while not done.wait(1.0):
            pass
        self.stdout.write("Stopping listeners...")
        pool.shutdown()
        self.stdout.write("Stopped.")
