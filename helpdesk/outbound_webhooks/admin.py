"""Admin pages: subscriptions (secret shown once, rotate, send a test) and the log."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk import channels
from helpdesk.actions.errors import ActionError
from helpdesk.outbound_webhooks import actions, catalog
from helpdesk.outbound_webhooks.models import Delivery, Subscription
from helpdesk.staff.access import is_admin

FORM_FIELDS = (
    "name",
    "url",
    "active",
    "event_types",
    "team",
    "inbox",
    "channel",
    "include_internal_notes",
)


class SubscriptionForm(forms.ModelForm):  # type: ignore[type-arg]
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Event types"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    channel = forms.ChoiceField(label=gettext_lazy("Only channel"), required=False, choices=())

    class Meta:
        model = Subscription
        fields = FORM_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read when the form is built: parts installed later add their event types.
        cast(forms.ChoiceField, self.fields["event_types"]).choices = catalog.choices()
        kinds = [("", "—"), *channels.kind_choices()]
        cast(forms.ChoiceField, self.fields["channel"]).choices = kinds

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"])
        try:
            actions.check_target(url)
        except ActionError as exc:
            raise forms.ValidationError(exc.message) from exc
        return url


def _changes(form: forms.ModelForm) -> dict[str, Any]:  # type: ignore[type-arg]
    data = form.cleaned_data
    return {
        "name": data["name"],
        "url": data["url"],
        "active": data["active"],
        "event_types": list(data["event_types"]),
        "team_id": data["team"].pk if data["team"] else None,
        "inbox_id": data["inbox"].pk if data["inbox"] else None,
        "channel": data["channel"] or "",
        "include_internal_notes": data["include_internal_notes"],
    }


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = SubscriptionForm
    list_display = ["name", "url", "active", "consecutive_failures", "deliveries_link"]
    list_filter = ["active"]
    readonly_fields = ["secrets_in_use", "disabled_reason", "disabled_at", "deliveries_link"]
    actions = ["send_test", "rotate_secret"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request) and super().has_module_permission(request)

    @admin.display(description=gettext_lazy("Secrets signing now"))
    def secrets_in_use(self, obj: Subscription) -> str:
        rows = obj.secrets.all() if obj.pk else []
        return ", ".join(
            f"{s.hint}… " + (_("until %(when)s") % {"when": s.expires_at} if s.expires_at else "")
            for s in rows
        )

    @admin.display(description=gettext_lazy("Delivery log"))
    def deliveries_link(self, obj: Subscription) -> str:
        if not obj.pk:
            return ""
        url = reverse("admin:outbound_webhooks_delivery_changelist")
        return format_html(
            '<a href="{}?subscription__id__exact={}">{}</a>', url, obj.pk, _("Deliveries")
        )

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        # Through the actions: the SSRF check, the cursor, the secret shown once.
        if change:
            actions.do_update_subscription(request.user, obj.pk, _changes(form))
            return
        sub, secret = actions.do_create_subscription(request.user, _changes(form))
        obj.pk = sub.pk
        self.message_user(request, _secret_message(secret), messages.WARNING)

    def delete_model(self, request: HttpRequest, obj: Subscription) -> None:
        actions.do_delete_subscription(request.user, obj.pk)

    @admin.action(description=gettext_lazy("Send a test event"))
    def send_test(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for sub in queryset:
            actions.do_send_test(request.user, sub.pk)
        self.message_user(request, _("Test events queued; see the delivery log."))

    @admin.action(description=gettext_lazy("Rotate the signing secret (old one signs 24 h more)"))
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for sub in queryset:
            secret = actions.do_rotate_secret(request.user, sub.pk)
            self.message_user(request, f"{sub.name}: {_secret_message(secret)}", messages.WARNING)


def _secret_message(secret: str) -> str:
    return _("Signing secret (shown only now, copy it): %(secret)s") % {"secret": secret}


def _is_admin(request: HttpRequest) -> bool:
    return is_admin(request.user)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "created_at",
        "subscription",
        "event_type",
        "status",
        "attempts",
        "response_status",
        "duration_ms",
        "delivery_id",
    ]
    list_filter = ["status", "event_type", "subscription"]
    list_select_related = ["subscription"]
    search_fields = ["delivery_id"]
    actions = ["redeliver"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_admin(request) and super().has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Redeliver"))
    def redeliver(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        for delivery in queryset:
            actions.do_redeliver(request.user, delivery.pk)
        self.message_user(request, _("Queued again; see the newest rows."))
