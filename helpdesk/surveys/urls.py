from __future__ import annotations

from django.urls import path

from helpdesk.surveys import views

app_name = "surveys"

urlpatterns = [
    path("<str:token>/", views.page, name="page"),
]
