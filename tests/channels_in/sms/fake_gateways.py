"""Loopback fakes of the providers' HTTP APIs: Kavenegar's REST API and a generic gateway.

Kavenegar answers with the recorded shapes in fixtures/ (from kavenegar.com/rest.html
and its official SDKs' README examples); `fail_next` makes the next call refuse.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
API_KEY = "4F6B2D7A5E6C3G2B6F6E3A7D2C5B4A3E"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode()))

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeGateways:
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    # (HTTP status, JSON body) answered once by the next call, then cleared.
    fail_next: tuple[int, Any] | None = None
    next_id: int = 8792343
    generic_answer: Any = None  # JSON body of the generic gateway's send answer
    statuses: dict[str, int] = field(default_factory=dict)  # Kavenegar's status per id

    @property
    def kavenegar_url(self) -> str:
        return f"{self.url}/v1"

    def sent(self) -> list[Seen]:
        return [s for s in self.seen if s.path.endswith("/sms/send.json") or s.path == "/send"]


def _handler(fake: FakeGateways) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            seen = Seen(
                self.command,
                parsed.path,
                dict(urllib.parse.parse_qsl(parsed.query)),
                {k.lower(): v for k, v in self.headers.items()},
                self.rfile.read(length),
            )
            fake.seen.append(seen)
            if fake.fail_next is not None:
                status, body = fake.fail_next
                fake.fail_next = None
                self._answer(status, body)
                return
            self._route(seen)

        def _route(self, seen: Seen) -> None:
            path = seen.path
            if path.startswith("/v1/"):
                key = path.split("/")[2]
                if key != API_KEY:
                    self._answer(403, fixture("kavenegar_bad_key"))
                elif path.endswith("/sms/send.json"):
                    body = fixture("kavenegar_send_ok")
                    entry = body["entries"][0]
                    form = seen.form()
                    entry.update(messageid=fake.next_id, message=form["message"])
                    entry.update(receptor=form["receptor"], sender=form["sender"])
                    fake.next_id += 1
                    self._answer(200, body)
                elif path.endswith("/sms/status.json"):
                    ids = seen.query.get("messageid", "").split(",")
                    entries = [
                        {"messageid": int(i), "status": fake.statuses.get(i, 100), "statustext": ""}
                        for i in ids
                    ]
                    self._answer(
                        200, {"return": {"status": 200, "message": "تایید شد"}, "entries": entries}
                    )
                elif path.endswith("/sms/statuslocalmessageid.json"):
                    local = seen.query.get("localid")
                    sent = [s for s in fake.sent() if s.form().get("localid") == local]
                    entry = {"messageid": 0, "localid": local, "status": 100, "statustext": ""}
                    if sent:
                        entry |= {"messageid": 8792343, "status": 1, "statustext": "در صف ارسال"}
                    self._answer(
                        200, {"return": {"status": 200, "message": "تایید شد"}, "entries": [entry]}
                    )
                elif path.endswith("/account/info.json"):
                    self._answer(200, fixture("kavenegar_account_info"))
                else:
                    self._answer(404, {"return": {"status": 404, "message": "not found"}})
            elif path == "/send":
                if seen.headers.get("x-api-key") != "gateway-secret":
                    self._answer(401, {"message": "invalid api key"})
                    return
                answer = fake.generic_answer
                if answer is None:
                    answer = {"status": 1, "data": {"messageId": str(fake.next_id)}}
                    fake.next_id += 1
                self._answer(200, answer)
            elif path == "/balance":
                ok = seen.headers.get("x-api-key") == "gateway-secret"
                self._answer(200 if ok else 401, {"credit": 1000} if ok else {"message": "no"})
            else:
                self._answer(404, {"message": "not found"})

        do_GET = _handle
        do_POST = _handle

    return Handler


@contextmanager
def running_fake_gateways() -> Iterator[FakeGateways]:
    fake = FakeGateways()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
