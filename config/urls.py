"""HTTP routes of every package."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from helpdesk.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    # Plain Django views under /api/v1/ come before the django-ninja API.
    path("api/v1/cti/", include("channels_in.phone.urls")),
    path("api/v1/", api.urls),
    path("channels/telegram/", include("channels_in.telegram.urls")),
    path("chat/", include("channels_in.webchat.urls")),
    path("help/", include("knowledge_base.urls")),
    path("calls/", include("channels_in.phone.page_urls")),
    path("automation/", include("helpdesk.automation.urls")),
    path("", include("agents.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
