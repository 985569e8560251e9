"""Email channel configuration and state: one mailbox per email inbox."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from helpdesk.crypto import EncryptedTextField


class TlsMode(models.TextChoices):
    IMPLICIT = "implicit", _("TLS (implicit, e.g. IMAP 993 / SMTP 465)")
    STARTTLS = "starttls", _("STARTTLS (e.g. IMAP 143 / SMTP 587)")
    NONE = "none", _("None (loopback or test servers only)")


class AfterImport(models.TextChoices):
    MARK_SEEN = "seen", _("Mark as seen")
    MOVE = "move", _("Move to a folder")
    LEAVE = "leave", _("Leave as it is")


class MailboxConfig(models.Model):
    """IMAP (receiving) and SMTP (sending) settings of one email inbox.

    Passwords are encrypted at rest (helpdesk.crypto) and never logged.
    """

    inbox = models.OneToOneField(
        "helpdesk.Inbox", on_delete=models.CASCADE, related_name="mailbox_config"
    )
    # Receiving. An empty IMAP host means "no receiving" (e.g. an imported archive).
    imap_host = models.CharField(_("IMAP host"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_tls = models.CharField(
        _("IMAP security"), max_length=10, choices=TlsMode.choices, default=TlsMode.IMPLICIT
    )
    imap_user = models.CharField(_("IMAP user"), max_length=255, blank=True)
    imap_password = EncryptedTextField(_("IMAP password"), blank=True)
    imap_folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    after_import = models.CharField(
        _("after import"), max_length=8, choices=AfterImport.choices, default=AfterImport.MARK_SEEN
    )
    move_to_folder = models.CharField(
        _("move to folder"), max_length=255, blank=True, help_text=_("when moving after import")
    )
    poll_interval = models.PositiveIntegerField(
        _("poll interval (seconds)"),
        default=60,
        help_text=_("used when the server does not support IDLE"),
    )
    # Sending.
    smtp_host = models.CharField(_("SMTP host"), max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    smtp_tls = models.CharField(
        _("SMTP security"), max_length=10, choices=TlsMode.choices, default=TlsMode.STARTTLS
    )
    smtp_user = models.CharField(_("SMTP user"), max_length=255, blank=True)
    smtp_password = EncryptedTextField(_("SMTP password"), blank=True)
    from_address = models.EmailField(_("from address"), blank=True)
    from_name = models.CharField(_("from name"), max_length=200, blank=True)
    reply_to = models.CharField(
        _("reply-to address"),
        max_length=320,
        blank=True,
        help_text=_('may contain "{ticket}", e.g. support+{ticket}@example.com'),
    )
    auto_reply_cap = models.PositiveIntegerField(
        _("automatic mails per recipient per day"),
        default=5,
        help_text=_("loop protection: automatic replies beyond this are not sent"),
    )
    timeout = models.PositiveIntegerField(_("network timeout (seconds)"), default=30)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return str(self.inbox.name)

    @property
    def receives(self) -> bool:
        return bool(self.imap_host and self.imap_user)


class MailboxState(models.Model):
    """Where the listener stopped: only UIDs above `last_uid` are fetched."""

    config = models.OneToOneField(MailboxConfig, on_delete=models.CASCADE, related_name="state")
    folder = models.CharField(max_length=255, default="INBOX")
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mailbox state")
        verbose_name_plural = _("mailbox states")

    def __str__(self) -> str:
        return f"{self.folder} uidvalidity={self.uidvalidity} last_uid={self.last_uid}"


class QuarantinedMail(models.Model):
    """A mail that could not be turned into a message, kept raw so nothing is lost."""

    inbox = models.ForeignKey(
        "helpdesk.Inbox", on_delete=models.CASCADE, related_name="quarantined_mail"
    )
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    reason = models.TextField()
    subject = models.CharField(max_length=300, blank=True)
    sender = models.CharField(max_length=320, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text=_("IMAP UID or file"))
    # The Message-ID when the mail parsed: a later copy stored under it closes the entry.
    rfc_message_id = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reprocessed_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(
        "helpdesk.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["inbox", "sha256"], name="quarantine_unique_per_inbox")
        ]
        indexes = [models.Index(fields=["inbox", "rfc_message_id"], name="quarantine_message_id")]
        verbose_name = _("quarantined mail")
        verbose_name_plural = _("quarantined mail")

    def __str__(self) -> str:
        return f"{self.subject or '(no subject)'} — {self.reason[:60]}"

    @property
    def reprocessed(self) -> bool:
        return self.reprocessed_at is not None
