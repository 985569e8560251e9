"""The portal's pages: /portal/<locale>/..."""

from __future__ import annotations

from django.urls import URLPattern, path, register_converter

from channels_in.portal import tickets, views

app_name = "portal"


class LocaleConverter:
    regex = "fa|en"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(LocaleConverter, "portal_locale")

urlpatterns: list[URLPattern] = [
    path("<portal_locale:locale>/", tickets.home, name="home"),
    path("<portal_locale:locale>/sign-in/", views.sign_in_page, name="sign_in"),
    path("<portal_locale:locale>/sign-out/", views.sign_out, name="sign_out"),
    path("<portal_locale:locale>/link/<str:token>/", views.link, name="link"),
    path("<portal_locale:locale>/code/", views.code, name="code"),
    path("<portal_locale:locale>/open/<str:token>/", views.open_ticket, name="open"),
    path("<portal_locale:locale>/new/", tickets.new_request, name="new"),
    path("<portal_locale:locale>/requests/<int:number>/", tickets.ticket_page, name="ticket"),
    path(
        "<portal_locale:locale>/requests/<int:number>/status/",
        tickets.set_status,
        name="status",
    ),
    path("<portal_locale:locale>/requests/<int:number>/rate/", tickets.rate, name="rate"),
    path(
        "<portal_locale:locale>/requests/<int:number>/files/<int:attachment_id>/",
        tickets.download,
        name="file",
    ),
]
