from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from channels_in.phone import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>", views.cti_event, name="cti-event"),
]
