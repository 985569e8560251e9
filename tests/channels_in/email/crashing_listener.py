"""The email listener in a process that dies mid-import, like a kill -9 would.

    python -m tests.channels_in.email.crashing_listener fetched|committed

The crash is installed here, around the `process_many` the listener hands each
fetched batch to: "fetched" dies with the mail fetched but before its transaction,
"committed" right after the commit, before the IMAP server is told. Either way the
process exits with CRASH_EXIT at once, skipping every cleanup.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import django

CRASH_EXIT = 70
STAGES = ("fetched", "committed")


def install_crash(stage: str) -> None:
    """Make the listener's next `process_many` call kill the process at `stage`."""
    from channels_in.email import listener

    real = vars(listener)["process_many"]

    def crashing(*args: Any, **kwargs: Any) -> Any:
        if stage == "committed":
            real(*args, **kwargs)
        os._exit(CRASH_EXIT)

    setattr(listener, "process_many", crashing)  # noqa: B010 (the listener's own name)


def main(stage: str) -> None:
    if stage not in STAGES:
        raise SystemExit(f"usage: crashing_listener {'|'.join(STAGES)}")
    django.setup()
    from channels_in.email.listener import EmailListener

    install_crash(stage)
    stop = threading.Event()
    threading.Timer(30, stop.set).start()  # had it not crashed: give up, exit 0
    EmailListener(refresh_seconds=0.3).run(stop)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
