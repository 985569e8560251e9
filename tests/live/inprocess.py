"""The desk served by Daphne in a thread of the test process.

It runs this process's settings (a test's overrides apply) on the test database,
SQLite included, and serves static files like runserver does. One per session:
Twisted's reactor cannot be restarted.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class ThreadDesk:
    url: str


def start_thread_desk() -> ThreadDesk:
    """Start Daphne on a free loopback port in a daemon thread; returns once it listens."""
    from daphne.endpoints import build_endpoint_description_strings
    from daphne.server import Server
    from django.conf import settings
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.utils.module_loading import import_string
    from twisted.internet import reactor

    application = import_string(settings.ASGI_APPLICATION)  # what runserver serves
    server = Server(
        application=ASGIStaticFilesHandler(application),
        # Port 0: Twisted binds a free port itself, so no other process can take it first.
        endpoints=build_endpoint_description_strings(host="127.0.0.1", port=0),
        signal_handlers=False,
        ready_callable=lambda: None,
    )
    threading.Thread(target=server.run, name="daphne", daemon=True).start()
    for _ in range(200):
        if server.listening_addresses:
            host, port = server.listening_addresses[0]
            return ThreadDesk(f"http://{host}:{port}")
        threading.Event().wait(0.05)
    reactor.callFromThread(reactor.stop)  # type: ignore[misc]
    raise RuntimeError("Daphne did not start listening")
