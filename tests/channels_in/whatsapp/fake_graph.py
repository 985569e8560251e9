"""A loopback fake of Meta's Graph API, the parts the WhatsApp Cloud API channel uses.

Shapes follow Meta's documentation: POST /<version>/<phone number id>/messages
answers {"messaging_product", "contacts", "messages": [{"id": "wamid..."}]},
POST .../media answers {"id"}, GET /<media id> answers a short-lived URL that is
fetched with the same bearer token, and errors are {"error": {"message", "type",
"code", "error_data": {"details"}, "fbtrace_id"}}.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Call:
    method: str
    path: str
    body: Any
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


class FakeGraph:
    def __init__(self, token: str, phone_number_id: str) -> None:
        self.token = token
        self.phone_number_id = phone_number_id
        self.calls: list[Call] = []
        self.media: dict[str, tuple[str, bytes]] = {}
        self.failures: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._ids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_media(self, media_id: str, content_type: str, data: bytes) -> None:
        self.media[media_id] = (content_type, data)

    def fail(self, what: str, status: int, code: int, message: str, details: str = "") -> None:
        """Make the next call to `what` ("messages", "media", "number") fail like Meta."""
        error: dict[str, Any] = {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbCdEf",
        }
        if details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": details}
        self.failures.setdefault(what, []).append((status, {"error": error}))

    def sent(self) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.path.endswith("/messages")]

    def _answer(self, method: str, path: str, auth: str, body: Any, files: Any) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if auth != f"Bearer {self.token}":
            return 401, {"error": {"message": "Invalid OAuth access token.", "code": 190}}
        if parts[:1] == ["media-bytes"]:
            stored = self.media.get(parts[1])
            return (
                (200, stored[1]) if stored else (404, {"error": {"message": "gone", "code": 100}})
            )
        self.calls.append(Call(method, path, body, files))
        what = {"messages": "messages", "media": "media"}.get(parts[-1], "number")
        if len(parts) == 2 and parts[1] in self.media:
            what = "media-info"
        queued = self.failures.get(what)
        if queued:
            return queued.pop(0)
        if what == "messages" and method == "POST":
            wamid = f"wamid.HBgM{next(self._ids):06d}"
            to = body.get("to")
            return 200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            }
        if what == "media" and method == "POST":
            return 200, {"id": f"upload-{next(self._ids)}"}
        if what == "media-info":
            content_type, data = self.media[parts[1]]
            return 200, {
                "messaging_product": "whatsapp",
                "url": f"{self.url}/media-bytes/{parts[1]}",
                "mime_type": content_type,
                "sha256": "0" * 64,
                "file_size": len(data),
                "id": parts[1],
            }
        if what == "number" and parts[1:] == [self.phone_number_id]:
            return 200, {
                "display_phone_number": "+98 912 000 1234",
                "verified_name": "فروشگاه نمونه",
                "quality_rating": "GREEN",
                "id": self.phone_number_id,
            }
        return 404, {"error": {"message": "Unsupported request", "code": 100}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:
                self._serve("GET", None, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                kind = self.headers.get("Content-Type") or ""
                if kind.startswith("multipart/form-data"):
                    head = f"Content-Type: {kind}\r\nMIME-Version: 1.0\r\n\r\n".encode()
                    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                        head + raw
                    )
                    fields: dict[str, Any] = {}
                    files: dict[str, tuple[str, bytes]] = {}
                    for part in message.iter_parts():
                        name = str(part.get_param("name", header="content-disposition"))
                        payload = part.get_payload(decode=True)
                        data = payload if isinstance(payload, bytes) else b""
                        if part.get_filename() is not None:
                            files[name] = (str(part.get_filename()), data)
                        else:
                            fields[name] = data.decode()
                    self._serve("POST", fields, files)
                else:
                    self._serve("POST", json.loads(raw or b"{}"), {})

            def _serve(self, method: str, body: Any, files: Any) -> None:
                path = urlsplit(self.path).path
                status, answer = fake._answer(
                    method, path, self.headers.get("Authorization") or "", body, files
                )
                data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_fake_graph(token: str, phone_number_id: str) -> Iterator[FakeGraph]:
    graph = FakeGraph(token, phone_number_id)
    graph.start()
    try:
        yield graph
    finally:
        graph.stop()
