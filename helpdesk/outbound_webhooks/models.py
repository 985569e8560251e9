"""Subscriptions, their signing secrets, and the delivery log."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.crypto import EncryptedTextField


class Subscription(models.Model):
    """A target URL that receives the desk's events of the chosen types, signed."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("target URL"), max_length=1000)
    active = models.BooleanField(_("active"), default=True)
    event_types = models.JSONField(_("event types"), default=list)
    team = models.ForeignKey(
        "helpdesk.Team",
        verbose_name=_("only team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    inbox = models.ForeignKey(
        "helpdesk.Inbox",
        verbose_name=_("only inbox"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    channel = models.CharField(_("only channel"), max_length=40, blank=True)
    include_internal_notes = models.BooleanField(_("include internal notes"), default=False)
    # The highest event sequence number already turned into deliveries (or skipped).
    cursor = models.BigIntegerField(default=0)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=300, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.name


class SubscriptionSecret(models.Model):
    """A signing secret; while a rotation's grace period runs, old and new both sign."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="secrets")
    secret = EncryptedTextField()
    # The first characters, to tell secrets apart in the admin (never the whole secret).
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("signing secret")
        verbose_name_plural = _("signing secrets")

    def __str__(self) -> str:
        return f"{self.hint}…"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERING = "delivering", _("Delivering")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")

    @classmethod
    def unfinished(cls) -> list[str]:
        return [cls.PENDING, cls.DELIVERING]


class Delivery(models.Model):
    """One event for one subscription: its body, its attempts and their outcome."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The X-Helpdesk-Delivery header: the same across retries and redeliveries.
    delivery_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    event = models.ForeignKey(
        "helpdesk.TicketEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seq = models.BigIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=40)
    # Deliveries with the same key (a ticket, a contact) are sent in `seq` order; an
    # empty key (test events, redeliveries) waits for nothing.
    order_key = models.CharField(max_length=40, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    is_test = models.BooleanField(default=False)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(
                fields=["subscription", "order_key", "seq"],
                condition=models.Q(status__in=["pending", "delivering"]),
                name="webhook_delivery_queue_idx",
            ),
            models.Index(fields=["subscription", "-id"], name="webhook_delivery_log_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["created_at"], name="webhook_delivery_age_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.delivery_id}"
