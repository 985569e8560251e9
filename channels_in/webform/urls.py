"""The contact form under the portal's URL space: /help/<locale>/contact/."""

from __future__ import annotations

from django.urls import URLPattern, re_path

from channels_in.webform import views

app_name = "webform"

urlpatterns: list[URLPattern] = [
    re_path(r"^(?P<locale>fa|en)/contact/$", views.contact, name="contact"),
]
