"""Contact import actions: start an import job, run it batch by batch (resumable)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from helpdesk import events
from helpdesk.actions.common import Actor
from helpdesk.actions.companies import check_may_manage_crm
from helpdesk.actions.errors import Invalid, NotFound
from helpdesk.crm import csvfile, facets
from helpdesk.crm.importing import (
    BatchResult,
    Rejected,
    RowPlan,
    apply_plans,
    attribute_definitions,
    parse_row,
    rejected_csv,
)
from helpdesk.event_schemas import ContactUpdated
from helpdesk.models import ContactImport, ImportState, Ticket

BATCH = 1000
MAX_BYTES = 200 * 1024 * 1024


class _DryRun(Exception):
    """Raised to roll a dry run's batch back after counting it."""


def do_start_import(
    actor: Actor, file_name: str, raw: bytes, mapping: dict[str, str], *, dry_run: bool = False
) -> ContactImport:
    """Check the file and the column mapping and store the job (supervisors and admins).

    `mapping` is CSV column -> target (see helpdesk.crm.csvfile.targets; "" skips).
    """
    check_may_manage_crm(actor)
    if len(raw) > MAX_BYTES:
        raise Invalid("the file is too large", field="file")
    try:
        text = csvfile.decode(raw)
        header, rows = csvfile.read_rows(text)
    except csvfile.BadFile as exc:
        raise Invalid(str(exc), field="file") from exc
    _check_mapping(header, mapping)
    return ContactImport.objects.create(
        file_name=file_name[:200],
        content=text,
        mapping={c: t for c, t in mapping.items() if t},
        dry_run=dry_run,
        total_rows=len(rows),
        created_by_id=actor.pk,
    )


def _check_mapping(header: list[str], mapping: dict[str, str]) -> None:
    known = set(csvfile.targets())
    for column, target in mapping.items():
        if column not in header:
            raise Invalid(f"no column {column!r} in the file", field="mapping")
        if target and target not in known:
            raise Invalid(f"unknown target {target!r}", field="mapping")
    used = [t for t in mapping.values() if t]
    if len(used) != len(set(used)):
        raise Invalid("two columns map to the same field", field="mapping")
    if not {"name", "email", "phone"} & set(used) and not any(
        t.startswith("identity:") for t in used
    ):
        raise Invalid("map a column to name, email or phone", field="mapping")


def do_upload_import(actor: Actor, file_name: str, raw: bytes) -> ContactImport:
    """Store an uploaded file with a guessed mapping, waiting for the user to check it
    (the contacts page's import: upload, then mapping and preview, then start)."""
    check_may_manage_crm(actor)
    if len(raw) > MAX_BYTES:
        raise Invalid("the file is too large", field="file")
    try:
        text = csvfile.decode(raw)
        header, rows = csvfile.read_rows(text)
    except csvfile.BadFile as exc:
        raise Invalid(str(exc), field="file") from exc
    return ContactImport.objects.create(
        file_name=file_name[:200],
        content=text,
        mapping=csvfile.guess_mapping(header),
        total_rows=len(rows),
        created_by_id=actor.pk,
    )


def do_map_import(
    actor: Actor, job_id: int, mapping: dict[str, str], *, dry_run: bool, start: bool = False
) -> ContactImport:
    """Set the column mapping and dry-run flag of an import not started yet; with
    `start`, queue it for the worker (helpdesk.crm.tasks) once this commits."""
    check_may_manage_crm(actor)
    with transaction.atomic():
        job = ContactImport.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFound(f"import {job_id} not found")
        if job.state != ImportState.PENDING or job.next_row:
            raise Invalid("the import has started already", field="mapping")
        header, _rows = csvfile.read_rows(job.content)
        _check_mapping(header, mapping)
        job.mapping = {c: t for c, t in mapping.items() if t}
        job.dry_run = dry_run
        if start:
            from helpdesk.crm.tasks import run_contact_import

            job.state = ImportState.RUNNING
            transaction.on_commit(lambda: run_contact_import.enqueue(job_id))
        job.save(update_fields=["mapping", "dry_run", "state"])
        return job


def do_import_batch(
    job_id: int,
    batch_size: int = BATCH,
    parsed: tuple[list[str], list[list[str]]] | None = None,
) -> ContactImport:
    """Import the next batch of a job in one transaction with its progress: a crash
    loses at most the batch in flight, which the next run does again. `parsed` is
    the job's CSV already read (run_import reads it once, not once per batch)."""
    with transaction.atomic():
        job = (
            ContactImport.objects.select_for_update()
            .defer("content", "rejected_csv")
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            raise NotFound(f"import {job_id} not found")
        if job.state in (ImportState.DONE, ImportState.FAILED):
            return job
        header, rows = parsed or csvfile.read_rows(job.content)
        start, end = job.next_row, min(job.next_row + batch_size, len(rows))
        result = BatchResult()
        plans = _plans(header, rows, start, end, job.mapping, result)
        if job.dry_run:
            _dry(plans, result)
        else:
            apply_plans(plans, result)
            _record_updates(result.updated_ids, job.created_by_id)
        _progress(job, header, rows, end, result)
        return job


def _plans(
    header: list[str],
    rows: list[list[str]],
    start: int,
    end: int,
    mapping: dict[str, str],
    result: BatchResult,
) -> list[RowPlan]:
    defs = attribute_definitions()
    plans = []
    for number in range(start + 1, end + 1):
        try:
            plans.append(parse_row(number, header, rows[number - 1], mapping, defs))
        except Rejected as exc:
            result.rejected.append((number, str(exc)))
    return plans


def _dry(plans: list[RowPlan], result: BatchResult) -> None:
    try:
        with transaction.atomic():
            apply_plans(plans, result)
            raise _DryRun
    except _DryRun:
        pass


def _record_updates(contact_ids: list[int], actor_id: int | None) -> None:
    """One contact.updated per updated contact and team of its tickets: only teams'
    lists show contacts (new contacts and those without tickets are on none)."""
    if not contact_ids:
        return
    teams: dict[int, list[int | None]] = {}
    pairs = Ticket.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "team_id")
    for contact_id, team_id in pairs.distinct():
        teams.setdefault(contact_id, []).append(team_id)
    fields = ["custom_attributes", "tags"]
    events.record_many(
        [
            events.Pending(ContactUpdated(contact_id=c, fields=fields), None, actor_id, team)
            for c in contact_ids
            for team in teams.get(c, [])
        ]
    )


def _progress(
    job: ContactImport, header: list[str], rows: list[list[str]], end: int, result: BatchResult
) -> None:
    job.next_row = end
    job.created_count += result.created
    job.updated_count += result.updated
    job.rejected_count += len(result.rejected)
    fields = ["next_row", "created_count", "updated_count", "rejected_count", "state"]
    if result.rejected:
        bad = [(rows[n - 1], reason) for n, reason in sorted(result.rejected)]
        job.rejected_csv += rejected_csv(header, bad, with_header=not job.rejected_csv)
        fields.append("rejected_csv")
    job.state = ImportState.DONE if end >= len(rows) else ImportState.RUNNING
    if job.state == ImportState.DONE:
        job.finished_at = timezone.now()
        fields.append("finished_at")
    job.save(update_fields=fields)


def run_import(
    job_id: int,
    *,
    batch_size: int = BATCH,
    progress: Callable[[ContactImport], object] | None = None,
) -> ContactImport:
    """Run every remaining batch of a job (the worker task and `import_contacts` call this)."""
    content = ContactImport.objects.filter(pk=job_id).values_list("content", flat=True).first()
    parsed = csvfile.read_rows(content) if content else None
    while True:
        job = do_import_batch(job_id, batch_size, parsed)
        if progress is not None:
            progress(job)
        if job.state != ImportState.RUNNING:
            if job.state == ImportState.DONE and not job.dry_run:
                facets.tidy()  # segment counts index-only again (PostgreSQL)
            return job
