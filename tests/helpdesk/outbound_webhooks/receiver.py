"""A real HTTP receiver on loopback: records every request, answers as told.

`plan` holds the answers of the next requests, in order: a status (with headers
and a body), or DROP (the connection is closed without an answer), or HOLD
(the request is recorded, then the answer waits until `release` is set).
After the plan, every request gets 200.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DROP = "drop"
HOLD = "hold"


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"ok":true}'


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.plan: list[Answer | str] = []
        self.delay = 0.0  # seconds before each answer (keeps several POSTs in flight)
        self.lock = threading.Lock()
        self.holding = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    answer = receiver.plan.pop(0) if receiver.plan else Answer()
                if receiver.delay:
                    time.sleep(receiver.delay)
                if answer == DROP:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if answer == HOLD:
                    receiver.holding.set()
                    receiver.release.wait(30)
                    answer = Answer()
                assert isinstance(answer, Answer)
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> list[str]:
        return [r.headers["x-helpdesk-event"] for r in self.received]
