from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from channels_in.phone import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.call_log_page, name="call-log"),
    path("log/", views.log_call_page, name="call-log-manual"),
    path("<int:call_pk>/form/", views.call_form, name="call-form"),
]
