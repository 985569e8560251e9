"""manage.py import_cdr FILE.csv --inbox NAME: Asterisk cdr-csv (Master.csv) records."""

from __future__ import annotations

import csv
import hashlib
import sys
import zoneinfo
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from channels_in.phone.calls import find_contact, normalize_number
from channels_in.phone.models import (
    Call,
    CallDirection,
    CallOutcome,
    CallSource,
    CallState,
    PhoneLine,
)

# The standard Master.csv column order (cdr_csv.conf without extra fields).
COLUMNS = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
]
DISPOSITIONS = {
    "ANSWERED": CallOutcome.ANSWERED,
    "NO ANSWER": CallOutcome.MISSED,
    "BUSY": CallOutcome.BUSY,
    "FAILED": CallOutcome.MISSED,
    "CONGESTION": CallOutcome.MISSED,
}


class Command(BaseCommand):
    help = "Import Asterisk cdr-csv records into a phone line's call log (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--inbox", required=True, help="name of the phone inbox")
        parser.add_argument("--tz", default=settings.DISPLAY_TIME_ZONE, help="zone of the times")

    def handle(self, *args: Any, **opts: Any) -> None:
        line = PhoneLine.objects.select_related("inbox").filter(inbox__name=opts["inbox"]).first()
        if line is None:
            raise CommandError(f"no phone line for an inbox named {opts['inbox']!r}")
        try:
            zone = zoneinfo.ZoneInfo(opts["tz"])
            rows = list(csv.reader(opts["file"].open(encoding="utf-8", errors="replace")))
        except (OSError, zoneinfo.ZoneInfoNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        imported = duplicates = skipped = 0
        for n, row in enumerate(rows, 1):
            outcome = self._import_row(line, row, zone)
            imported += outcome == "imported"
            duplicates += outcome == "duplicate"
            skipped += outcome == "skipped"
            if n % 100 == 0 or n == len(rows):
                sys.stderr.write(f"\r{n}/{len(rows)} records")
        sys.stderr.write("\n")
        self.stdout.write(f"imported {imported}, duplicates {duplicates}, skipped {skipped}")

    def _import_row(self, line: PhoneLine, row: list[str], zone: zoneinfo.ZoneInfo) -> str:
        if len(row) < 15 or row[9] in ("", "start"):
            return "skipped"
        rec = dict(zip(COLUMNS, row, strict=False))
        key = rec.get("uniqueid") or hashlib.sha256(",".join(row).encode()).hexdigest()[:40]
        call_id = f"cdr-{key}"
        if Call.objects.filter(line=line, call_id=call_id).exists():
            return "duplicate"
        try:
            start = datetime.fromisoformat(rec["start"]).replace(tzinfo=zone)
            answer = (
                datetime.fromisoformat(rec["answer"]).replace(tzinfo=zone)
                if rec["answer"]
                else None
            )
            end = datetime.fromisoformat(rec["end"]).replace(tzinfo=zone) if rec["end"] else start
        except ValueError:
            return "skipped"
        src = normalize_number(rec["src"], line.default_region)
        dst = normalize_number(rec["dst"], line.default_region)
        outbound = src in (line.numbers or []) or (not src.startswith("+") and dst.startswith("+"))
        number = dst if outbound else src
        outcome = DISPOSITIONS.get(rec["disposition"].strip().upper(), CallOutcome.MISSED)
        with transaction.atomic():
            Call.objects.create(
                line=line,
                call_id=call_id,
                source=CallSource.CDR,
                direction=CallDirection.OUT if outbound else CallDirection.IN,
                from_number=src,
                to_number=dst,
                customer_number=number,
                contact=find_contact(number),
                state=CallState.ENDED,
                outcome=outcome,
                started_at=start,
                answered_at=answer if outcome == CallOutcome.ANSWERED else None,
                ended_at=end,
            )
        return "imported"
