"""Admin: mailbox settings with a connection test, and the quarantine."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from channels_in.email.models import MailboxConfig, MailboxState, QuarantinedMail
from channels_in.email.receive import Outcome, reprocess
from channels_in.email.transport import check_imap, check_smtp
from helpdesk.channel_kit import SecretField, SecretsForm

# The mailbox's settings in the order the form shows them, once for the form and its fieldsets.
RECEIVING = (
    "imap_host",
    "imap_port",
    "imap_tls",
    "imap_user",
    "imap_password",
    "imap_folder",
    "after_import",
    "move_to_folder",
    "poll_interval",
)
SENDING = (
    "smtp_host",
    "smtp_port",
    "smtp_tls",
    "smtp_user",
    "smtp_password",
    "from_address",
    "from_name",
    "reply_to",
    "auto_reply_cap",
    "timeout",
)


class MailboxConfigForm(SecretsForm):
    """Passwords are write-only: never shown back, and left unchanged when blank."""

    imap_password = SecretField(label=_("IMAP password"))
    smtp_password = SecretField(label=_("SMTP password"))

    class Meta:
        model = MailboxConfig
        fields = ("inbox", *RECEIVING, *SENDING)


@admin.register(MailboxConfig)
class MailboxConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = MailboxConfigForm
    list_display = ("inbox", "imap_host", "imap_user", "imap_folder", "smtp_host", "from_address")
    actions = ["test_connection"]
    fieldsets = (
        (None, {"fields": ("inbox",)}),
        (
            _("Receiving (IMAP)"),
            {"fields": RECEIVING},
        ),
        (
            _("Sending (SMTP)"),
            {"fields": SENDING},
        ),
    )

    @admin.action(description=_("Test the IMAP and SMTP connection"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet[MailboxConfig]) -> None:
        for config in queryset.select_related("inbox"):
            problems = [p for p in (check_imap(config), check_smtp(config)) if p]
            if problems:
                self.message_user(request, f"{config}: " + "; ".join(problems), messages.ERROR)
            else:
                self.message_user(request, _("%(box)s: IMAP and SMTP work") % {"box": config})


@admin.register(MailboxState)
class MailboxStateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("config", "folder", "uidvalidity", "last_uid", "last_success_at", "last_error")
    readonly_fields = ("config", "folder", "uidvalidity", "last_uid", "last_success_at")


@admin.register(QuarantinedMail)
class QuarantinedMailAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "inbox", "sender", "subject", "reason", "reprocessed_at")
    list_filter = ("inbox", ("reprocessed_at", admin.EmptyFieldListFilter))
    search_fields = ("subject", "sender", "reason")
    readonly_fields = (
        "inbox",
        "sender",
        "subject",
        "reason",
        "source",
        "sha256",
        "created_at",
        "reprocessed_at",
        "message",
        "headers",
    )
    exclude = ("raw",)
    actions = ["reprocess_mail"]

    @admin.display(description=_("headers"))
    def headers(self, obj: QuarantinedMail) -> str:
        raw = bytes(obj.raw)
        return raw.split(b"\n\n", 1)[0][:4000].decode("utf-8", "replace")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Re-process the selected mail"))
    def reprocess_mail(self, request: HttpRequest, queryset: QuerySet[QuarantinedMail]) -> None:
        counts = {outcome: 0 for outcome in Outcome}
        for item in queryset.filter(reprocessed_at=None):
            counts[reprocess(item).outcome] += 1
        self.message_user(
            request,
            _("%(ok)d became messages, %(dup)d were already stored, %(bad)d still fail")
            % {
                "ok": counts[Outcome.IMPORTED],
                "dup": counts[Outcome.DUPLICATE],
                "bad": counts[Outcome.QUARANTINED],
            },
        )
