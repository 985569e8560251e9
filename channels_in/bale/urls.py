from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from channels_in.bale import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:inbox_id>/webhook/<str:secret>/", views.webhook, name="bale-webhook"),
]
