"""Placeholder: filled in by the change that needs it (kept so the two CRM scale
migrations have a fixed order)."""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("helpdesk", "0021_contact_team_ids")]

    operations = []
