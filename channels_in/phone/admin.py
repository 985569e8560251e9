from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from channels_in.phone.models import Call, PhoneLine
from helpdesk.admin_fields import LinesField, as_text
from helpdesk.identities import InvalidAddress, normalize_phone


def _e164(line: str) -> str:
    try:
        return normalize_phone(line)
    except InvalidAddress as exc:
        raise ValueError(_("not a phone number")) from exc


class PhoneLineForm(forms.ModelForm):  # type: ignore[type-arg]
    """Numbers one per line (any digits, local or international), stored in E.164."""

    numbers = LinesField(label=_("numbers"), clean_line=_e164, help_text=_("One per line."))
    blocked_numbers = LinesField(
        label=_("blocked numbers"), clean_line=_e164, help_text=_("One per line.")
    )

    class Meta:
        model = PhoneLine
        fields = ["inbox", "numbers", "default_region", "blocked_numbers"]


@admin.register(PhoneLine)
class PhoneLineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PhoneLineForm
    list_display = ["inbox", "number_list", "default_region", "token_prefix"]
    readonly_fields = ["token_prefix"]
    fields = ["inbox", "numbers", "default_region", "blocked_numbers", "token_prefix"]
    actions = ["regenerate_token"]

    @admin.display(description=_("numbers"))
    def number_list(self, line: PhoneLine) -> str:
        return as_text(line.numbers)

    def save_model(self, request: HttpRequest, obj: PhoneLine, form: Any, change: bool) -> None:
        if not obj.token_hash:
            self._show_token(request, obj, obj.new_token())
        super().save_model(request, obj, form, change)

    def _show_token(self, request: HttpRequest, line: PhoneLine, raw: str) -> None:
        # Shown once to the admin who created it; only the hash is stored.
        messages.success(
            request,
            _("CTI URL for %(line)s: /api/v1/cti/%(token)s (shown once; copy it now)")
            % {"line": line.inbox, "token": raw},
        )

    @admin.action(description=_("Generate a new CTI token"))
    def regenerate_token(self, request: HttpRequest, queryset: QuerySet[PhoneLine]) -> None:
        for line in queryset:
            raw = line.new_token()
            line.save(update_fields=["token_hash", "token_prefix"])
            self._show_token(request, line, raw)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["started_at", "direction", "customer_number", "contact", "outcome", "agent"]
    list_filter = ["direction", "outcome", "source", "line"]
    search_fields = ["customer_number", "call_id"]
    list_select_related = ["contact", "agent", "line__inbox"]
    # Everything read-only; the JSON list of users is shown as text in its place.
    readonly_fields = [
        "user_list" if f.name == "users" else f.name
        for f in Call._meta.get_fields()
        if getattr(f, "concrete", False)
    ]
    exclude = ["users"]

    @admin.display(description=_("users"))
    def user_list(self, call: Call) -> str:
        return as_text(call.users)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
