"""Django admin for agents (also inline on the user), API tokens and assignment policies.

API tokens show their prefix only: the stored SHA-256 never leaves the database.
Admins issue them here (the raw token is shown once, on the page after saving) or
with `manage.py create_api_token USERNAME`, and revoke them with the list action.
Login lockouts (django-axes) are under "Axes": delete an access attempt to clear one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpdesk.actions.errors import ActionError
from helpdesk.models import Agent, ApiToken, AssignmentPolicy, TokenScope
from helpdesk.staff import tokens


class AgentInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Agent
    can_delete = False
    fields = ["display_name", "role", "teams", "language", "time_zone", "max_open_tickets"]
    filter_horizontal = ["teams"]


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class DeskUserAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = [AgentInline]
    list_display = ["username", "email", "agent_role", "is_staff", "is_active"]
    list_select_related = ["agent"]

    @admin.display(description="role")
    def agent_role(self, user: Any) -> str:
        agent = getattr(user, "agent", None)
        return agent.get_role_display() if agent else "-"


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["__str__", "user", "role", "language", "time_zone", "presence"]
    list_filter = ["role", "teams", "language"]
    search_fields = ["display_name", "user__username", "user__email"]
    list_select_related = ["user"]
    fields = [
        "user",
        "display_name",
        "role",
        "teams",
        "language",
        "time_zone",
        "max_open_tickets",
        "presence",
    ]
    readonly_fields = ["presence"]  # presence changes through agents' own actions
    filter_horizontal = ["teams"]
    autocomplete_fields = ["user"]


class ApiTokenAddForm(forms.ModelForm):  # type: ignore[type-arg]
    """Issue a token: who, a label, the scope and an optional expiry."""

    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope", "expires_at"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user = data.get("user")
        if user is not None:
            try:
                tokens.check_may_hold(user, data.get("scope") or TokenScope.TICKETS)
            except ActionError as exc:
                raise forms.ValidationError(exc.message) from exc
        expires = data.get("expires_at")
        if expires is not None and expires <= timezone.now():
            self.add_error("expires_at", _("The expiry must be in the future."))
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Tokens by prefix only; issued here (the raw token shown once) and revoked by action."""

    list_display = [
        "prefix_shown",
        "user",
        "name",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "prefix"]
    fields = [
        "prefix_shown",
        "user",
        "name",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = [
        "prefix_shown",
        "user",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    autocomplete_fields = ["user"]
    actions = ["revoke"]

    @admin.display(description=_("token"))
    def prefix_shown(self, token: ApiToken) -> str:
        return f"{token.prefix}…"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ApiTokenAddForm.Meta.fields if obj is None else self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["name"])  # only the label is editable
            return
        data = form.cleaned_data
        token, raw = tokens.do_issue_token(
            request.user,
            data["user"],
            name=data.get("name") or "",
            scope=data["scope"],
            expires_at=data.get("expires_at"),
        )
        obj.pk, obj.prefix, obj.token_hash = token.pk, token.prefix, token.token_hash
        obj.created_at = token.created_at
        obj._state.adding = False
        request.issued_token = raw  # type: ignore[attr-defined]  # shown once by response_add

    def response_add(
        self, request: HttpRequest, obj: ApiToken, post_url_continue: Any = None
    ) -> Any:
        raw = getattr(request, "issued_token", "")
        context = {
            **self.admin_site.each_context(request),
            "title": _("API token issued"),
            "token": obj,
            "raw": raw,
            "opts": self.opts,
        }
        response = TemplateResponse(request, "admin/helpdesk/apitoken/issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            tokens.do_revoke_token(request.user, token.pk)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


@admin.register(AssignmentPolicy)
class AssignmentPolicyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Automatic assignment per team (see docs/inbox.md)."""

    list_display = ["team", "mode", "max_open_per_agent"]
    list_select_related = ["team"]
    fields = ["team", "mode", "max_open_per_agent"]
