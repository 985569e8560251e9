"""Admin: who is a company manager in the portal, who may not sign in."""

from __future__ import annotations

from django.contrib import admin

from channels_in.portal.models import PortalAccess


@admin.register(PortalAccess)
class PortalAccessAdmin(admin.ModelAdmin[PortalAccess]):
    list_display = ("contact", "company_manager", "blocked")
    list_filter = ("company_manager", "blocked")
    search_fields = ("contact__name", "contact__identities__address")
    raw_id_fields = ("contact",)
