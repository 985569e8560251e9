from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketEvent(models.Model):
    """The audit log, and the source of reconnect catch-up: `id` is the sequence number."""

    ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    # Denormalized so catch-up can filter by the reader's teams without a join.
    team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [
            models.Index(fields=["team", "id"], name="event_team_seq_idx"),
            models.Index(fields=["ticket", "id"], name="event_ticket_seq_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.type}"
