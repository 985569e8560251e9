"""manage.py kb_import FILE: import articles (JSON array, Markdown file or directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.db import transaction
from pydantic import ValidationError

from knowledge_base.transfer import ImportStats, import_record, read_records


def progress(stderr: OutputWrapper, done: int, total: int, width: int = 30) -> None:
    """Redraw a one-line progress bar on stderr."""
    filled = width * done // max(total, 1)
    end = "\n" if done == total else ""
    stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending=end)
    stderr.flush()


class Command(BaseCommand):
    help = "Import knowledge-base articles; re-importing updates articles by slug per locale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="a .json file, a .md file or a directory")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        try:
            records = read_records(path)
        except (ValueError, ValidationError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        stats = ImportStats()
        with transaction.atomic():
            for n, record in enumerate(records, 1):
                import_record(record, stats)
                if not options["no_progress"]:
                    progress(self.stderr, n, len(records))
        self.stdout.write(
            f"{stats.created} created, {stats.updated} updated, {stats.unchanged} unchanged"
        )
