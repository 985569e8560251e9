from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.models import hash_token

# CTI tokens are stored like API tokens: only their SHA-256.
hash_cti_token = hash_token


class PhoneLine(models.Model):
    """A phone line or queue: the configuration of one phone inbox."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox", on_delete=models.CASCADE, related_name="phone_line"
    )
    numbers = models.JSONField(_("numbers (E.164)"), default=list, blank=True)
    default_region = models.CharField(
        _("default country"),
        max_length=2,
        default="IR",
        help_text=_("ISO country code used for numbers written without +country"),
    )
    blocked_numbers = models.JSONField(_("blocked numbers (E.164)"), default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField(max_length=8, editable=False, blank=True)

    class Meta:
        verbose_name = _("phone line")
        verbose_name_plural = _("phone lines")

    def __str__(self) -> str:
        return str(self.inbox.name)

    def new_token(self) -> str:
        """Set a new CTI token and return it (only its hash is stored)."""
        raw = secrets.token_urlsafe(24)
        self.token_hash = hash_cti_token(raw)
        self.token_prefix = raw[:6]
        return raw


class CallDirection(models.TextChoices):
    IN = "in", _("Inbound")
    OUT = "out", _("Outbound")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("In progress")
    ENDED = "ended", _("Ended")


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    MISSED = "missed", _("Missed")
    BUSY = "busy", _("Busy")
    REJECTED = "rejected", _("Rejected")
    VOICEMAIL = "voicemail", _("Voicemail")


class CallSource(models.TextChoices):
    CTI = "cti", _("Phone system")
    MANUAL = "manual", _("Logged by an agent")
    CDR = "cdr", _("CDR import")


class Call(models.Model):
    line = models.ForeignKey(PhoneLine, on_delete=models.CASCADE, related_name="calls")
    call_id = models.CharField(max_length=200)
    source = models.CharField(max_length=8, choices=CallSource.choices, default=CallSource.CTI)
    direction = models.CharField(max_length=3, choices=CallDirection.choices)
    from_number = models.CharField(max_length=64, blank=True)
    to_number = models.CharField(max_length=64, blank=True)
    # The customer's side of the call, normalized to E.164 where possible.
    customer_number = models.CharField(max_length=64, blank=True, db_index=True)
    contact = models.ForeignKey(
        "helpdesk.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    users = models.JSONField(default=list, blank=True)
    queue = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=CallState.choices, default=CallState.RINGING)
    outcome = models.CharField(max_length=10, choices=CallOutcome.choices, blank=True)
    cause = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recording_url = models.URLField(max_length=1000, blank=True)
    ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    needs_callback = models.BooleanField(default=False)
    called_back_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["line", "call_id"], name="call_unique_per_line")
        ]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="call_recent_idx"),
            models.Index(fields=["line", "-started_at"], name="call_line_idx"),
            models.Index(fields=["needs_callback", "customer_number"], name="call_callback_idx"),
        ]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return f"{self.direction} {self.customer_number} {self.outcome or self.state}"

    @property
    def wait_seconds(self) -> int | None:
        end = self.answered_at or self.ended_at
        return int((end - self.started_at).total_seconds()) if end else None

    @property
    def talk_seconds(self) -> int | None:
        if self.answered_at and self.ended_at:
            return int((self.ended_at - self.answered_at).total_seconds())
        return None
