"""Notifications, and what each agent wants to be told and how."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 300


class NotificationKind(models.TextChoices):
    """Why an agent is told something (each kind has its own preferences)."""

    ASSIGNED = "assigned", _("Assigned to me")
    NEW_MESSAGE = "new_message", _("New message on my ticket")
    UNASSIGNED_CHAT = "unassigned_chat", _("New unassigned chat in my teams")
    MENTION = "mention", _("Mentioned in a note")
    SLA_DUE_SOON = "sla_due_soon", _("SLA target due soon")
    SLA_BREACHED = "sla_breached", _("SLA target breached")
    MISSED_CALL = "missed_call", _("Missed call on my line")
    TASK_DUE = "task_due", _("Follow-up task due")
    REFERRAL = "referral", _("Referred to me")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook subscription disabled")
    TIME_RULE = "time_rule", _("Time rule notice")


class EmailState(models.TextChoices):
    """Where a notification's mail stands (NONE: the agent does not want it mailed)."""

    NONE = "none", _("Not mailed")
    PENDING = "pending", _("Waiting for the next mail")
    SENT = "sent", _("Mailed")
    SKIPPED = "skipped", _("Not mailed (read first, or no mailbox)")


class Notification(models.Model):
    """One thing one agent is told; unread until they open it or mark it read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    # The title as the code wrote it (an English msgid with %(name)s parameters) and its
    # parameters, so it is shown in the reader's language of the day; `title` keeps the
    # text rendered in the recipient's language when it was made (mail, socket frame,
    # and the fallback for rows made before these fields or with a fixed text).
    title_key = models.CharField(_("title template"), max_length=200, blank=True)
    title_params = models.JSONField(_("title parameters"), default=dict, blank=True)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Callers that may fire twice for one cause (a scheduler tick) pass a key:
    # one notification per recipient and key.
    dedupe_key = models.CharField(max_length=200, blank=True)
    in_app = models.BooleanField(default=True)
    desktop = models.BooleanField(default=False)
    email_state = models.CharField(
        max_length=8, choices=EmailState.choices, default=EmailState.NONE
    )
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The bell: the agent's newest, and their unread count.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_recipient_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, in_app=True),
                name="notif_unread_idx",
            ),
            # The digest task: mails still waiting.
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(email_state="pending"),
                name="notif_email_pending_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notif_unique_dedupe_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"

    def display_title(self) -> str:
        """The title in the active language; the stored text when there is no template
        or the template and its parameters no longer fit together."""
        if not self.title_key:
            return self.title
        try:
            return str(gettext(self.title_key) % self.title_params)[:TITLE_MAX]
        except (KeyError, ValueError, TypeError):
            return self.title


class NotificationPreference(models.Model):
    """How one agent wants one kind: in the bell, as a desktop pop-up, by mail.

    No row means the kind's defaults (helpdesk.notifications.preferences.DEFAULTS).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the desk"), default=True)
    desktop = models.BooleanField(_("desktop"), default=False)
    email = models.BooleanField(_("email"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_pref_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class NotificationSettings(models.Model):
    """An agent's switches that are not per kind: sound, and the hours they work."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    sound = models.BooleanField(_("play a sound for new chats and mentions"), default=True)
    desktop = models.BooleanField(_("desktop notifications"), default=True)
    # Mail is sent at once inside these hours and gathered into a digest outside
    # them; empty: the business hours of the agent's first team inbox that has any.
    working_hours = models.ForeignKey(
        "helpdesk.BusinessHours",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("working hours"),
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"
