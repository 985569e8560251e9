"""The widget's socket: opened from customers' sites, so it checks its own Origin list."""

from __future__ import annotations

from django.urls import path

from channels_in.webchat.consumer import VisitorConsumer

websocket_urlpatterns = [
    path("ws/chat/<str:public_key>/", VisitorConsumer.as_asgi()),
]
