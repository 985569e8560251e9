from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from channels_in.telegram import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:inbox_id>/webhook/", views.webhook, name="telegram-webhook"),
]
