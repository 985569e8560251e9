from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from channels_in.whatsapp import composer, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("webhook/", views.webhook, name="whatsapp-webhook"),
    path("tickets/<int:ticket_id>/template/", composer.send_template, name="whatsapp-template"),
]
