"""`manage.py import_contacts FILE.csv [--map column=target ...] [--dry-run] [--resume ID]`."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from helpdesk.actions.errors import ActionError
from helpdesk.actions.imports import BATCH, do_start_import, run_import
from helpdesk.crm import csvfile
from helpdesk.models import ContactImport, ImportState, Role


class Command(BaseCommand):
    help = (
        "Import contacts from a CSV file in resumable batches, with a progress bar. "
        "Columns are mapped by name (English or Persian) unless --map says otherwise."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", help="the CSV file (UTF-8 or Windows-1256)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=TARGET",
            help="map a column to name, email, phone, company, tags, notes, language, "
            "identity:<kind> or attr:<key> (empty TARGET skips the column)",
        )
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--resume", type=int, help="continue the import with this id")
        parser.add_argument("--batch-size", type=int, default=BATCH)
        parser.add_argument("--rejected", help="write the rejected rows (with reasons) here")
        parser.add_argument("--as-user", default="", help="the admin the import is done as")

    def handle(self, *args: Any, **options: Any) -> None:
        job = self._job(options)
        self.stderr.write(f"import {job.pk}: {job.total_rows} rows")
        job = run_import(job.pk, batch_size=options["batch_size"], progress=self._bar)
        sys.stderr.write("\n")
        self.stdout.write(
            f"import {job.pk} {job.state}{' (dry run)' if job.dry_run else ''}: "
            f"{job.created_count} created, {job.updated_count} updated, "
            f"{job.rejected_count} rejected"
        )
        if options["rejected"] and job.rejected_csv:
            Path(options["rejected"]).write_text(job.rejected_csv, encoding="utf-8")

    def _job(self, options: dict[str, Any]) -> ContactImport:
        if options["resume"]:
            job = ContactImport.objects.filter(pk=options["resume"]).first()
            if job is None:
                raise CommandError(f"no import {options['resume']}")
            return job
        if not options["file"]:
            raise CommandError("give a CSV file, or --resume ID")
        raw = Path(options["file"]).read_bytes()
        try:
            header, _rows = csvfile.read_rows(csvfile.decode(raw))
        except csvfile.BadFile as exc:
            raise CommandError(str(exc)) from exc
        mapping = csvfile.guess_mapping(header)
        for item in options["map"]:
            column, _eq, target = item.partition("=")
            mapping[column] = target
        try:
            return do_start_import(
                self._actor(options["as_user"]),
                Path(options["file"]).name,
                raw,
                mapping,
                dry_run=options["dry_run"],
            )
        except ActionError as exc:
            raise CommandError(exc.message) from exc

    def _actor(self, username: str) -> Any:
        admins = Q(is_superuser=True) | Q(agent__role=Role.ADMIN)
        users = get_user_model().objects.filter(admins)
        user = users.filter(username=username).first() if username else users.order_by("pk").first()
        if user is None:
            raise CommandError("no admin to import as (create one, or use --as-user)")
        return user

    def _bar(self, job: ContactImport) -> None:
        width = 30
        done = width * job.percent // 100
        sys.stderr.write(
            f"\r[{'#' * done}{'.' * (width - done)}] {job.percent:3d}% "
            f"{job.next_row}/{job.total_rows} rows, {job.rejected_count} rejected"
        )
        if job.state != ImportState.RUNNING:
            sys.stderr.flush()
