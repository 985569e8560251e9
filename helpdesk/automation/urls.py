from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from helpdesk.automation import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("solved/<str:token>/", views.solved, name="automation-solved"),
]
