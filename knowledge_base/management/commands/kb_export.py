"""manage.py kb_export [FILE]: write articles in kb_import's JSON format."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from knowledge_base.management.commands.kb_import import progress
from knowledge_base.models import Article
from knowledge_base.transfer import export_records


class Command(BaseCommand):
    help = "Export knowledge-base articles as a JSON array (kb_import's format)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, help="output file (default: stdout)")
        parser.add_argument("--locale", choices=["fa", "en"], help="only this locale")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        articles = Article.objects.select_related("category__parent").order_by("locale", "slug")
        if options["locale"]:
            articles = articles.filter(locale=options["locale"])
        total = articles.count()
        records = []
        for n, record in enumerate(export_records(articles.iterator()), 1):
            records.append(record)
            if not options["no_progress"] and options["path"]:
                progress(self.stderr, n, total)
        text = json.dumps(records, ensure_ascii=False, indent=2) + "\n"
        if options["path"]:
            options["path"].write_text(text, encoding="utf-8")
            self.stdout.write(f"{len(records)} articles written to {options['path']}")
        else:
            sys.stdout.write(text)
