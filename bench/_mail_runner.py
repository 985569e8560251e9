"""In-process driver for one side of the email bench; prints one JSON line.

    python _mail_runner.py ours|theirs setup
    python _mail_runner.py ours|theirs run DIR [DIR...]
    python _mail_runner.py ours|theirs map OUT.json

`ours` runs under the project's venv (DJANGO_SETTINGS_MODULE=config.settings),
`theirs` under django-helpdesk's venv (DJANGO_SETTINGS_MODULE=dhbench.settings);
this file imports only the standard library and Django at module level.
`run` times only the import command itself (`import_mail` / `get_email`), after
Django has started, and counts what the run created.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

import django

SUPPORT = "support@bench.example"


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (import_mail's
    parsing workers), so a desk that spreads work over processes pays for all of it."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _ours_setup() -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from channels_in.email.management.commands.import_mail import email_inbox

    return {"inbox": email_inbox("bench", "Bench").pk}


def _ours_counts() -> dict[str, int]:
    from channels_in.email.models import QuarantinedMail
    from helpdesk.models import Message, Ticket

    return {
        "tickets": Ticket.objects.count(),
        "messages": Message.objects.count(),
        "quarantined": QuarantinedMail.objects.count(),
    }


def _ours_run(dirs: list[str]) -> dict[str, Any]:
    from django.core.management import call_command

    out = io.StringIO()
    started, cpu = time.perf_counter(), _cpu()
    call_command("import_mail", "--inbox", "bench", *dirs, stdout=out)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": _cpu() - cpu,
        "output": out.getvalue().strip(),
    }


def _ours_map() -> dict[str, int]:
    from helpdesk.models import Message

    rows = Message.objects.filter(inbox__name="bench").order_by("id")
    found: dict[str, int] = {}
    for ext, ticket in rows.values_list("external_id", "ticket_id"):
        found.setdefault(ext or "", ticket)
    return found


def _peer_models() -> Any:
    # django-helpdesk's package is also called `helpdesk`: this runs in its venv only.
    return importlib.import_module("helpdesk.models")


def _theirs_setup() -> dict[str, Any]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    queue = _peer_models().Queue.objects.create(
        title="Bench",
        slug="bench",
        email_address=SUPPORT,
        allow_email_submission=True,
        email_box_type="local",
        email_box_local_dir="/nonexistent",
        email_box_interval=0,
    )
    return {"queue": queue.pk}


def _theirs_counts() -> dict[str, int]:
    peer = _peer_models()
    return {"tickets": peer.Ticket.objects.count(), "messages": peer.FollowUp.objects.count()}


def _theirs_run(dirs: list[str]) -> dict[str, Any]:
    """get_email reads the queue's one local directory: point it at each batch in turn."""
    from django.core.management import call_command

    queues = _peer_models().Queue.objects
    seconds = cpu_seconds = 0.0
    for path in dirs:
        queues.filter(slug="bench").update(email_box_local_dir=path)
        started, cpu = time.perf_counter(), _cpu()
        call_command("get_email", quiet=True)
        seconds += time.perf_counter() - started
        cpu_seconds += _cpu() - cpu
    left = sum(len(os.listdir(p)) for p in dirs)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "output": f"files left unprocessed: {left}",
        "left": left,
    }


def _theirs_map() -> dict[str, int]:
    rows = _peer_models().FollowUp.objects.order_by("id")
    found: dict[str, int] = {}
    for ext, ticket in rows.values_list("message_id", "ticket_id"):
        found.setdefault(ext or "", ticket)
    return found


SIDES = {
    "ours": (_ours_setup, _ours_counts, _ours_run, _ours_map),
    "theirs": (_theirs_setup, _theirs_counts, _theirs_run, _theirs_map),
}


def main(argv: list[str]) -> None:
    side, command, rest = argv[0], argv[1], argv[2:]
    django.setup()
    setup, counts, run, mapping = SIDES[side]
    if command == "setup":
        result: dict[str, Any] = setup()
    elif command == "run":
        before = counts()
        result = run(rest)
        after = counts()
        result["created"] = {k: after[k] - before[k] for k in after}
    else:
        Path(rest[0]).write_text(json.dumps(mapping()))
        result = {"written": rest[0]}
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
