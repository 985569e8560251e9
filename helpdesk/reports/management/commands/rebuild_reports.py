"""`manage.py rebuild_reports`: recompute every conversation's facts and the hourly rollup."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from helpdesk.reports import facts


class Command(BaseCommand):
    help = "Recompute the report facts of every conversation and rebuild the hourly rollup."

    def handle(self, *args: Any, **options: Any) -> None:
        count, rows = facts.rebuild_all()
        self.stdout.write(f"{count} conversations, {rows} rollup rows")
