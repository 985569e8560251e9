from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    NOTE = "note", _("Internal note")


class AuthorKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    AGENT = "agent", _("Agent")
    SYSTEM = "system", _("System")


class DeliveryStatus(models.TextChoices):
    """queued -> sending (an attempt, committed before the send) -> sent | failed.

    A temporary failure goes back to queued (retried with backoff). A message left
    in sending by a crashed worker is never sent again blindly: the sweeper asks
    the channel when it can tell, and otherwise marks it uncertain for an agent
    to resend (docs/reliability.md).
    """

    NONE = "", _("Not applicable")
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNCERTAIN = "uncertain", _("May have been sent")
    # The channel is not set up for the inbox (helpdesk.channels.NotConnected): not sent,
    # not failed; an agent sends it again once an admin has connected the channel.
    NOT_CONNECTED = "not_set_up", _("Not connected")


class Message(models.Model):
    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="messages")
    inbox = models.ForeignKey("helpdesk.Inbox", on_delete=models.PROTECT, related_name="+")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    author_contact = models.ForeignKey(
        "helpdesk.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, help_text="sanitized")
    # The channel's id of this message (Message-ID, Telegram message id, ...).
    # NULL for messages that have none yet (queued outbound, notes).
    external_id = models.CharField(max_length=500, null=True, blank=True)
    channel_meta = models.JSONField(default=dict, blank=True)
    delivery_status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.NONE, blank=True
    )
    delivery_error = models.TextField(blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    # The send in flight: set (and committed) when a worker claims the message,
    # before it talks to the channel; an outcome is only recorded for its attempt.
    delivery_attempt = models.CharField(max_length=32, blank=True)
    delivery_started_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["inbox", "external_id"], name="message_unique_external_id_per_inbox"
            )
        ]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.direction} message {self.pk} on ticket {self.ticket_id}"


# Shown in a page; every other type downloads, so a customer's HTML or SVG file
# can never run on the desk's origin.
INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


# Named by content now (helpdesk/attachment_files.py); kept for migration 0001.
def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.ticket_id}/{instance.message_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=500)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=200, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    content_id = models.CharField(max_length=300, blank=True, help_text="for inline images")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def shows_inline(self) -> bool:
        return self.content_type in INLINE_IMAGE_TYPES
