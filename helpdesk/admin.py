"""Django admin for the core: configuration is editable, tickets and messages are not.

Tickets, messages and contacts change only through helpdesk.actions, so their
admins are read-only and offer admin actions that call those actions (which
check permissions, lock, record events and publish them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from helpdesk import channels
from helpdesk.actions.contacts import EDITABLE, do_merge_contacts, do_update_contact
from helpdesk.actions.errors import ActionError
from helpdesk.actions.tickets import do_assign, do_set_status
from helpdesk.admin_fields import LinesField, PairsField, as_text
from helpdesk.models import (
    Attachment,
    Contact,
    ContactIdentity,
    Inbox,
    Message,
    Team,
    Ticket,
    TicketEvent,
    TicketStatus,
)

admin.site.site_header = _("Help desk administration")
admin.site.site_title = _("Help desk administration")


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Viewable by staff with view rights; never added, changed or deleted here.

    `json_shown` maps a JSON field to the display method shown in its place, so a
    person reads text (see helpdesk.admin_fields.as_text), not JSON.
    """

    json_shown: dict[str, str] = {}

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = super().get_fields(request, obj)
        return [self.json_shown.get(f, f) if isinstance(f, str) else f for f in fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class InboxForm(forms.ModelForm):  # type: ignore[type-arg]
    """The channel is chosen among the installed ones (helpdesk.channels), read per form."""

    kind = forms.ChoiceField(label=_("channel"), choices=channels.kind_choices)

    class Meta:
        model = Inbox
        fields = ["kind", "name", "team", "enabled"]


@admin.register(Inbox)
class InboxAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = InboxForm
    list_display = ["name", "kind", "team", "enabled", "created_at"]
    list_filter = ["kind", "enabled", "team"]
    search_fields = ["name"]
    list_select_related = ["team"]


class IdentityInline(ReadOnlyInline):
    model = ContactIdentity
    fields = readonly_fields = (
        "kind",
        "address",
        "display_name",
        "unreachable_reason",
        "created_at",
    )


class ContactForm(forms.ModelForm):  # type: ignore[type-arg]
    custom_attributes = PairsField(
        label=_("custom attributes"), help_text=_("One per line: name: value")
    )
    tags = LinesField(label=_("tags"), help_text=_("One per line"))

    class Meta:
        model = Contact
        fields = list(EDITABLE)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Edits go through do_update_contact; merging through do_merge_contacts."""

    form = ContactForm

    list_display = ["__str__", "language", "preferred_channel", "merged_into", "created_at"]
    list_filter = ["language", "preferred_channel"]
    search_fields = ["name", "identities__address"]
    fields = [*EDITABLE, "merged_into", "created_at", "updated_at"]
    readonly_fields = ["merged_into", "created_at", "updated_at"]
    inlines = [IdentityInline]
    actions = ["merge_into_oldest"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # contacts come from the channels (helpdesk.ingest)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Contact, form: ModelForm[Contact], change: bool
    ) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE}
        if changes:
            do_update_contact(request.user, obj.pk, changes)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Identities are read-only here; nothing is saved, nothing is logged as changed.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @admin.action(description=_("Merge selected contacts into the oldest one"))
    def merge_into_oldest(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        contacts = list(queryset.order_by("id"))
        if len(contacts) < 2:
            self.message_user(request, _("Select at least two contacts."), messages.WARNING)
            return
        target, *sources = contacts
        for source in sources:
            try:
                do_merge_contacts(request.user, source.pk, target.pk)
            except ActionError as exc:
                self.message_user(request, f"{source}: {exc.message}", messages.ERROR)


def _ticket_action(
    request: HttpRequest,
    queryset: QuerySet[Ticket],
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    run: Callable[[Ticket], object],
) -> None:
    done = 0
    for ticket in queryset:
        try:
            run(ticket)
            done += 1
        except ActionError as exc:
            modeladmin.message_user(request, f"#{ticket.pk}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(
            request, ngettext("%d ticket updated.", "%d tickets updated.", done) % done
        )


class MessageInline(ReadOnlyInline):
    model = Message
    fields = readonly_fields = ("created_at", "direction", "author_kind", "text", "delivery_status")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    """Read-only; the admin actions below change tickets through helpdesk.actions."""

    json_shown = {"tags": "tag_list"}

    @admin.display(description=_("tags"))
    def tag_list(self, ticket: Ticket) -> str:
        return as_text(ticket.tags)

    list_display = [
        "id",
        "subject",
        "contact",
        "inbox",
        "team",
        "assignee",
        "status",
        "priority",
        "last_message_at",
    ]
    list_filter = ["status", "priority", "team", "inbox"]
    search_fields = ["subject", "contact__name"]
    list_select_related = ["contact", "inbox", "team", "assignee"]
    inlines = [MessageInline]
    actions = ["mark_resolved", "mark_open", "mark_closed", "assign_to_me", "unassign"]

    def _status(self, request: HttpRequest, queryset: QuerySet[Ticket], status: str) -> None:
        _ticket_action(request, queryset, self, lambda t: do_set_status(request.user, t.pk, status))

    @admin.action(description=_("Mark as resolved"))
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._status(request, queryset, TicketStatus.RESOLVED)

    @admin.action(description=_("Reopen"))
    def mark_open(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._status(request, queryset, TicketStatus.OPEN)

    @admin.action(description=_("Close"))
    def mark_closed(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        self._status(request, queryset, TicketStatus.CLOSED)

    @admin.action(description=_("Assign to me"))
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        _ticket_action(
            request, queryset, self, lambda t: do_assign(request.user, t.pk, request.user.pk)
        )

    @admin.action(description=_("Unassign"))
    def unassign(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        _ticket_action(request, queryset, self, lambda t: do_assign(request.user, t.pk, None))


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = ("name", "content_type", "size", "file")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    json_shown = {"channel_meta": "channel_details"}

    @admin.display(description=_("channel details"))
    def channel_details(self, message: Message) -> str:
        return as_text(message.channel_meta)

    list_display = ["id", "ticket", "direction", "author_kind", "delivery_status", "created_at"]
    list_filter = ["direction", "delivery_status", "inbox"]
    search_fields = ["text", "external_id"]
    list_select_related = ["ticket"]
    inlines = [AttachmentInline]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    json_shown = {"payload": "details"}

    @admin.display(description=_("details"))
    def details(self, event: TicketEvent) -> str:
        return as_text(event.payload)

    list_display = ["id", "type", "ticket", "team", "actor", "created_at"]
    list_filter = ["type"]
    list_select_related = ["ticket", "team", "actor"]


# Companies, attribute definitions, segments and imports (issue 19).
from helpdesk.crm import admin as _crm_admin  # noqa: E402, F401
