"""WebSocket routes: the agents' socket, and the public sockets channels declare."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.module_loading import import_string

from agents.consumers import AgentConsumer
from helpdesk import channels

websocket_urlpatterns = [
    path("ws/agent/", AgentConsumer.as_asgi()),
]

# Sockets opened from other sites (the chat widget): they check the page's Origin
# against their own allow-list, so asgi.py routes them outside the ALLOWED_HOSTS
# origin check and without the session middleware.
public_websocket_urlpatterns: list[Any] = [
    route
    for spec in channels.specs()
    if spec.websocket_urls
    for route in import_string(spec.websocket_urls)
]
