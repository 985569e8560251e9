"""WebSocket routes of every package."""

from __future__ import annotations

from django.urls import path

from agents.consumers import AgentConsumer

websocket_urlpatterns = [
    path("ws/agent/", AgentConsumer.as_asgi()),
]
