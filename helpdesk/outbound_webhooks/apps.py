from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboundWebhooksConfig(AppConfig):
    name = "helpdesk.outbound_webhooks"
    label = "outbound_webhooks"
    verbose_name = _("Outbound webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from helpdesk.outbound_webhooks import admin, dispatch  # noqa: F401  (registers)

        dispatch.install()
