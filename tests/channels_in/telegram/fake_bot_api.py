"""A small Bot-API-compatible server on loopback, for python-telegram-bot to talk to.

It speaks the Bot API's HTTP shape (POST /bot<token>/<method> with form or
multipart fields, JSON {"ok": ...} answers, GET /file/bot<token>/<path>), keeps
updates for getUpdates, records every call, and fails on demand (429, 403, 400).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

BOT = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Desk Support",
    "username": "desk_support_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    token: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


@dataclass
class StoredFile:
    path: str
    data: bytes
    declared_size: int | None = None


def _jsonish(value: str) -> Any:
    """Bot API clients send non-string fields JSON-encoded; keep plain text as text."""
    if value[:1] in "[{" or value.lstrip("-").isdigit() or value in ("true", "false"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeBotApi:
    def __init__(self, token: str) -> None:
        self.tokens = {token}
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.files: dict[str, StoredFile] = {}
        self.failures: dict[str, list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {}
        self.lock = threading.Condition()
        self._message_ids = itertools.count(5000)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- test controls ---------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_update(self, update: dict[str, Any]) -> None:
        with self.lock:
            self.updates.append(update)
            self.lock.notify_all()

    def add_file(
        self, file_id: str, data: bytes, path: str, declared_size: int | None = None
    ) -> None:
        self.files[file_id] = StoredFile(path, data, declared_size)

    def fail(self, method: str, code: int, description: str, **parameters: Any) -> None:
        """Make the next call of `method` fail like Telegram would."""
        answer: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            answer["parameters"] = parameters
        self.failures.setdefault(method, []).append(answer)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    # --- the API ------------------------------------------------------------------------
    def answer(
        self, method: str, token: str, params: dict[str, Any], files: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if token not in self.tokens:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        queued = self.failures.get(method)
        if method != "getUpdates":
            self.calls.append(Call(method, token, params, files))
        if queued:
            failure = queued.pop(0)
            return int(failure["error_code"]), failure
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        return 200, {"ok": True, "result": handler(params, files)}

    def _api_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return BOT

    def _api_setWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = dict(params)
        return True

    def _api_deleteWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        self.webhook = {}
        return True

    def _api_getUpdates(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + wait
        with self.lock:
            self.calls.append(Call("getUpdates", "", dict(params)))
            # An offset confirms every update before it: Telegram forgets them.
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and time.monotonic() < deadline:
                self.lock.wait(deadline - time.monotonic())
            return list(self.updates[:100])

    def _api_getFile(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        stored = self.files.get(str(params["file_id"]))
        if stored is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        size = stored.declared_size or len(stored.data)
        if size > 20 * 1024 * 1024:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": params["file_id"],
            "file_unique_id": f"u{params['file_id']}",
            "file_size": size,
            "file_path": stored.path,
        }

    def _sent(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Customer"},
            "from": BOT,
            **content,
        }

    def _api_sendMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return self._sent(params, text=str(params["text"]))

    def _api_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    def _api_editMessageText(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return self._sent(params, text=str(params["text"]))

    def _api_sendPhoto(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        photo = {"file_id": "sent-photo", "file_unique_id": "sp", "width": 10, "height": 10}
        return self._sent(params, photo=[photo])

    def _api_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        name = files["document"][0] if "document" in files else "file"
        return self._sent(
            params, document={"file_id": "sent-doc", "file_unique_id": "sd", "file_name": name}
        )

    def download(self, token: str, path: str) -> bytes | None:
        if token not in self.tokens:
            return None
        self.calls.append(Call("download", token, {"path": path}))
        for stored in self.files.values():
            if stored.path == path:
                return stored.data
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return  # quiet: the URL holds the token

            def do_GET(self) -> None:
                parts = unquote(urlsplit(self.path).path).split("/")
                if len(parts) >= 4 and parts[1] == "file" and parts[2].startswith("bot"):
                    data = api.download(parts[2][3:], "/".join(parts[3:]))
                    if data is not None:
                        self._reply(200, data, "application/octet-stream")
                        return
                    self._reply(404, b"Not Found", "text/plain")
                    return
                self._api(dict(parse_qsl(urlsplit(self.path).query)), {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                params, files = _decode(self.headers.get("Content-Type") or "", body)
                self._api(params, files)

            def _api(self, params: dict[str, Any], files: dict[str, Any]) -> None:
                path = unquote(urlsplit(self.path).path).split("/")
                if len(path) != 3 or not path[1].startswith("bot"):
                    self._reply(404, b"{}", "application/json")
                    return
                try:
                    status, payload = api.answer(path[2], path[1][3:], params, files)
                except _ApiError as exc:
                    status, payload = (
                        exc.code,
                        {"ok": False, "error_code": exc.code, "description": exc.description},
                    )
                self._reply(status, json.dumps(payload).encode(), "application/json")

            def _reply(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


class _ApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _decode(content_type: str, body: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    if content_type.startswith("application/json"):
        return (json.loads(body or b"{}"), {})
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            raw = part.get_payload(decode=True)
            payload = raw if isinstance(raw, bytes) else b""
            if filename is not None:
                files[str(name)] = (filename, payload)
            else:
                params[str(name)] = _jsonish(payload.decode("utf-8"))
        return params, files
    pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    return {k: _jsonish(v) for k, v in pairs}, {}


@contextmanager
def running_fake_api(token: str) -> Iterator[FakeBotApi]:
    api = FakeBotApi(token)
    api.start()
    try:
        yield api
    finally:
        api.stop()
