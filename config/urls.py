"""HTTP routes: each installed channel's (from its manifest), the API, the portal, the inbox."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import URLPattern, URLResolver, include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from config import dev_views
from helpdesk import channels
from helpdesk.api import api

# Channel routes come first: some sit under another part's prefix (the CTI
# endpoint under /api/v1/, the contact form under /help/).
channel_urls: list[URLPattern | URLResolver] = [
    path(prefix, include(module)) for spec in channels.specs() for prefix, module in spec.urls
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page says: send them to the SVG
    # (resolved per request: the hashed name exists only after collectstatic).
    path(
        "favicon.ico",
        RedirectView.as_view(url=lazy(static_url, str)("desk/favicon.svg"), permanent=True),
        name="favicon",
    ),
    *channel_urls,
    path("api/v1/", api.urls),
    path("help/", include("knowledge_base.urls")),
    path("automation/", include("helpdesk.automation.urls")),
    path("survey/", include("helpdesk.surveys.urls")),
    # Development and demo mode only (404 otherwise): mail the local SMTP sink kept.
    path("dev/mail/", dev_views.captured_mail, name="dev_mail"),
    path("", include("agents.notification_urls")),
    path("", include("agents.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
