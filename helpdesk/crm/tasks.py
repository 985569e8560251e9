"""The worker task that runs a contact import started on the contacts page."""

from __future__ import annotations

from django.tasks import task

from helpdesk.actions.imports import run_import
from helpdesk.models import ImportState


@task()
def run_contact_import(job_id: int) -> str:
    """Import every remaining batch of the job; run again after a crash, it resumes."""
    return str(run_import(job_id).state or ImportState.DONE)
