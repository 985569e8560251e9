"""WebSocket routes of every package."""

from __future__ import annotations

from django.urls import path

from agents.consumers import AgentConsumer
from channels_in.webchat.consumer import VisitorConsumer

websocket_urlpatterns = [
    path("ws/agent/", AgentConsumer.as_asgi()),
]

# Sockets opened from other sites (the chat widget): they check the page's Origin
# against their own allow-list, so asgi.py routes them outside the ALLOWED_HOSTS
# origin check and without the session middleware.
public_websocket_urlpatterns = [
    path("ws/chat/<str:public_key>/", VisitorConsumer.as_asgi()),
]
