from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def active(cls) -> list[str]:
        """Statuses in which a new customer message threads into the ticket."""
        return [cls.NEW, cls.OPEN, cls.PENDING, cls.SNOOZED]


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Ticket(models.Model):
    """A conversation with one contact; its `id` is the human ticket number."""

    subject = models.CharField(_("subject"), max_length=300, blank=True)
    contact = models.ForeignKey(
        "helpdesk.Contact", on_delete=models.PROTECT, related_name="tickets"
    )
    inbox = models.ForeignKey("helpdesk.Inbox", on_delete=models.PROTECT, related_name="tickets")
    team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # Values of the ticket attribute definitions (helpdesk.crm.attributes).
    custom_attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    follows_up = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            # The inbox lists: per team / assignee / status, newest activity first,
            # with id as the keyset tie-breaker.
            models.Index(
                fields=["team", "status", "-last_message_at", "-id"], name="ticket_team_status_idx"
            ),
            models.Index(
                fields=["assignee", "status", "-last_message_at", "-id"],
                name="ticket_assignee_status_idx",
            ),
            models.Index(fields=["status", "-last_message_at", "-id"], name="ticket_status_idx"),
            models.Index(fields=["-last_message_at", "-id"], name="ticket_activity_idx"),
            # An agent's lists are their teams' tickets newest first, whatever the status.
            models.Index(
                fields=["team", "-last_message_at", "-id"], name="ticket_team_activity_idx"
            ),
            # The "unassigned" list and its count, a small slice of a large table.
            models.Index(
                fields=["team", "status", "-last_message_at", "-id"],
                condition=models.Q(assignee__isnull=True),
                name="ticket_unassigned_idx",
            ),
            models.Index(fields=["contact", "status"], name="ticket_contact_status_idx"),
            # The contacts an agent may see (their teams' tickets), read from the index
            # alone (helpdesk.crm.visibility); and the contacts with an open ticket,
            # counted without reading the contacts (helpdesk.crm.segments).
            models.Index(fields=["team", "contact"], name="ticket_team_contact_idx"),
            models.Index(
                fields=["contact"],
                condition=models.Q(status__in=TicketStatus.active()),
                name="ticket_open_contact_idx",
            ),
            models.Index(fields=["inbox", "status"], name="ticket_inbox_status_idx"),
        ]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> int:
        return int(self.pk)
