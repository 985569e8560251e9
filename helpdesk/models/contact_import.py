"""A CSV import of contacts: its mapping, progress and rejected rows (helpdesk.crm.importing)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ContactImport(models.Model):
    """One CSV file being imported in batches; `next_row` makes it resumable."""

    file_name = models.CharField(_("file name"), max_length=200)
    # The CSV text itself (kept so a crashed import resumes from `next_row`).
    content = models.TextField()
    # CSV column name -> target field ("name", "email", "phone", "telegram",
    # "company", "tags", "notes", "language", "attr:<key>").
    mapping = models.JSONField(default=dict)
    dry_run = models.BooleanField(_("dry run"), default=False)
    state = models.CharField(
        _("state"), max_length=16, choices=ImportState.choices, default=ImportState.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    next_row = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    # Rejected rows as CSV (the original columns plus "reason").
    rejected_csv = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("contact import")
        verbose_name_plural = _("contact imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        """How far the import is, 0..100."""
        if not self.total_rows:
            return 100 if self.state == ImportState.DONE else 0
        return min(100, self.next_row * 100 // self.total_rows)
