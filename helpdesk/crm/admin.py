"""Admin pages for companies, attribute definitions, segments and imports: plain-text
fields instead of JSON, saved through the actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from helpdesk.actions.attributes import do_save_attribute_definition
from helpdesk.actions.companies import do_save_company
from helpdesk.actions.errors import ActionError
from helpdesk.admin_fields import LinesField, PairsField
from helpdesk.crm.segments import count
from helpdesk.models import AttributeDefinition, Company, ContactImport, Segment


class CompanyForm(forms.ModelForm):  # type: ignore[type-arg]
    domains_text = LinesField(
        label=_("domains"), help_text=_("One per line; new email contacts join by domain")
    )
    custom_attributes = PairsField(
        label=_("custom attributes"), help_text=_("One per line: name: value")
    )

    class Meta:
        model = Company
        fields = ["name", "notes", "custom_attributes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["domains_text"] = list(
                self.instance.domains.values_list("domain", flat=True)
            )


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Saved through do_save_company (domains validated, event recorded)."""

    form = CompanyForm
    list_display = ["name", "created_at"]
    search_fields = ["name", "domains__domain"]

    def save_model(
        self, request: HttpRequest, obj: Company, form: ModelForm[Company], change: bool
    ) -> None:
        data = form.cleaned_data
        changes = {
            "name": data["name"],
            "notes": data["notes"],
            "custom_attributes": data["custom_attributes"],
            "domains": data["domains_text"],
        }
        try:
            saved = do_save_company(request.user, obj.pk if change else None, changes)
        except ActionError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk


class AttributeForm(forms.ModelForm):  # type: ignore[type-arg]
    choices = LinesField(label=_("choices"), help_text=_("For a list: one value per line"))

    class Meta:
        model = AttributeDefinition
        fields = ["entity", "key", "label", "type", "choices", "required", "position"]


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = AttributeForm
    list_display = ["label", "key", "entity", "type", "required", "position"]
    list_filter = ["entity", "type"]

    def save_model(
        self,
        request: HttpRequest,
        obj: AttributeDefinition,
        form: ModelForm[AttributeDefinition],
        change: bool,
    ) -> None:
        values = {name: form.cleaned_data[name] for name in AttributeForm.Meta.fields}
        try:
            saved = do_save_attribute_definition(request.user, obj.pk if change else None, values)
        except ActionError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Segments are built on the contacts page (filters, then "save as segment")."""

    list_display = ["name", "description", "members", "updated_at"]
    readonly_fields = ["definition", "created_by", "created_at", "updated_at"]
    fields = ["name", "description", *readonly_fields]

    @admin.display(description=_("contacts"))
    def members(self, segment: Segment) -> int:
        return count(segment)


@admin.register(ContactImport)
class ContactImportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["file_name", "state", "created_count", "updated_count", "rejected_count"]
    readonly_fields = [f.name for f in ContactImport._meta.fields if f.name != "content"]
    exclude = ["content"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the contacts page's import (or `manage.py import_contacts`)
