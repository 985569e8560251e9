"""A macro: a named sequence of actions on a ticket (team, assignee, tags, priority,
a note or a reply from a template with placeholders, status), shared or personal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.models import Priority, TicketStatus


class AssignTo(models.TextChoices):
    KEEP = "", _("Leave as it is")
    ME = "me", _("The agent applying the macro")
    AGENT = "agent", _("The agent below")
    NOBODY = "nobody", _("Nobody (unassign)")


class Macro(models.Model):
    """Applied in this order: team, assignee, tags, priority, note, reply, status."""

    name = models.CharField(_("name"), max_length=100)
    # Personal when it has an owner (only they see it); shared otherwise, with every
    # agent or only with one team's.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (personal macro)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
    )
    shared_with_team = models.ForeignKey(
        "helpdesk.Team",
        verbose_name=_("shared with team"),
        help_text=_("Empty: every agent (for a shared macro)."),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    reply_template = models.TextField(
        _("reply"),
        blank=True,
        help_text=_(
            "Sent to the customer. Placeholders: {{contact.name}}, {{ticket.number}}, "
            "{{ticket.subject}}, {{agent.name}}, {{inbox.name}}."
        ),
    )
    note_template = models.TextField(_("internal note"), blank=True)
    add_tags = models.CharField(
        _("add tags"), max_length=300, blank=True, help_text=_("Comma-separated.")
    )
    remove_tags = models.CharField(_("remove tags"), max_length=300, blank=True)
    status = models.CharField(
        _("set status"), max_length=16, choices=TicketStatus.choices, blank=True
    )
    priority = models.PositiveSmallIntegerField(
        _("set priority"), choices=Priority.choices, null=True, blank=True
    )
    move_to_team = models.ForeignKey(
        "helpdesk.Team",
        verbose_name=_("move to team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assign = models.CharField(
        _("assign to"), max_length=8, choices=AssignTo.choices, blank=True, default=AssignTo.KEEP
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["owner", "name"], name="macro_owner_idx")]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None


def split_tags(text: str) -> list[str]:
    """'a, b ,c' -> ['a', 'b', 'c'] (normalized later by the tags action)."""
    return [t.strip() for t in text.replace("،", ",").split(",") if t.strip()]
