from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from channels_in.sms import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:inbox_id>/<str:secret>/inbound/", views.inbound, name="sms-inbound"),
    path("<int:inbox_id>/<str:secret>/report/", views.report, name="sms-report"),
]
