"""Follow-up tasks and referrals: work on tickets beyond the conversation itself."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")

    @classmethod
    def active(cls) -> list[str]:
        """Statuses of a task still to be done (listed, counted, reminded)."""
        return [cls.OPEN, cls.IN_PROGRESS]


class TaskKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up")
    CALLBACK = "callback", _("Call back")


class Task(models.Model):
    """Something an agent (or a team) has to do by a time: call back, chase, check."""

    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.FOLLOW_UP
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    # Set when the reminder went out; a new due time clears it (one reminder per due time).
    reminded_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    team = models.ForeignKey(
        "helpdesk.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket = models.ForeignKey(
        "helpdesk.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    contact = models.ForeignKey(
        "helpdesk.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    # The phone channel's call (its id and the customer's number): the core names no
    # channel model, so the link is by value.
    call_id = models.PositiveBigIntegerField(null=True, blank=True)
    call_number = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = [models.F("due_at").asc(nulls_last=True), "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="task_assignee_idx"),
            models.Index(fields=["team", "status", "due_at"], name="task_team_idx"),
            models.Index(
                fields=["due_at"],
                condition=models.Q(status__in=["open", "in_progress"], reminded_at__isnull=True),
                name="task_reminder_due_idx",
            ),
            models.Index(fields=["ticket", "status"], name="task_ticket_idx"),
            models.Index(fields=["contact", "status"], name="task_contact_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["call_id"],
                condition=models.Q(kind="callback"),
                name="task_one_callback_per_call",
            )
        ]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status in TaskStatus.active()

    @property
    def is_overdue(self) -> bool:
        return self.is_active and self.due_at is not None and self.due_at <= timezone.now()


class Referral(models.Model):
    """A ticket or a task handed to a colleague or a team, with a note."""

    ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="referrals"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="referrals"
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ticket__isnull=False) | models.Q(task__isnull=False),
                name="referral_has_subject",
            )
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"referral {self.pk}"
