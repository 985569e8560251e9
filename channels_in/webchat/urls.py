"""Mounted at /chat/ (see config/urls.py); the visitor socket is /ws/chat/<public key>/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from channels_in.webchat import views

app_name = "webchat"

urlpatterns: list[URLPattern | URLResolver] = [
    re_path(r"^(?P<name>widget\.js|widget\.css|page\.css)$", views.asset, name="asset"),
    path("demo/", views.demo, name="demo"),
    path("files/<str:signed>/", views.attachment, name="file"),
    path("<str:public_key>/", views.page, name="page"),
    path("<str:public_key>/settings/", views.widget_settings, name="settings"),
    path("<str:public_key>/upload/", views.upload, name="upload"),
]
