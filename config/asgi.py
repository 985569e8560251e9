"""ASGI entry point: HTTP and WebSocket routing in one place.

Production: `uvicorn config.asgi:application` (docs/operations.md).
"""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from config.routing import public_websocket_urlpatterns, websocket_urlpatterns  # noqa: E402
from helpdesk.fanout import with_server_send  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": with_server_send(
            URLRouter(
                [
                    *public_websocket_urlpatterns,
                    re_path(
                        r"",
                        AllowedHostsOriginValidator(
                            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
                        ),
                    ),
                ]
            )
        ),
    }
)
