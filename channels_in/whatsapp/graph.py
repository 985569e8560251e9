"""A small client of Meta's Graph API for the WhatsApp Business Cloud API.

The API root comes from settings.WHATSAPP_GRAPH_URL (Meta's by default; the test
suite's loopback fake otherwise). Errors carry Meta's own words and code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

GRAPH_VERSION = "v21.0"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# Codes Meta documents for "slow down" (throughput, pair rate, spam rate limits).
RATE_LIMITED = {4, 80007, 130429, 131048, 131056}
WINDOW_CLOSED = 131047  # "Re-engagement message": more than 24 hours since the customer wrote
BAD_TOKEN = 190


@dataclass
class GraphError(Exception):
    """Graph refused the call (or could not be reached: status 0)."""

    status: int
    code: int
    message: str

    def __str__(self) -> str:
        return f"{self.message} (code {self.code})" if self.code else self.message

    @property
    def temporary(self) -> bool:
        return self.status == 0 or self.status >= 500 or self.code in RATE_LIMITED


def graph_root() -> str:
    root = getattr(settings, "WHATSAPP_GRAPH_URL", "") or "https://graph.facebook.com"
    return f"{str(root).rstrip('/')}/{GRAPH_VERSION}"


class Graph:
    """Calls with one access token; use as a context manager (one HTTP connection pool)."""

    def __init__(self, token: str) -> None:
        self._client = httpx.Client(
            base_url=graph_root(),
            timeout=TIMEOUT,
            headers={"Authorization": f"Bearer {token}"},
        )

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One Graph call; the JSON answer, or GraphError with Meta's words."""
        try:
            response = self._client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise GraphError(0, 0, f"WhatsApp could not be reached ({type(exc).__name__})") from exc
        try:
            data = response.json()
        except ValueError:
            data = {}
        if response.is_error or not isinstance(data, dict):
            error = data.get("error") if isinstance(data, dict) else None
            error = error if isinstance(error, dict) else {}
            details = (error.get("error_data") or {}).get("details") if error else None
            words = str(error.get("message") or response.reason_phrase or "error")
            if details:
                words = f"{words}: {details}"
            raise GraphError(response.status_code, int(error.get("code") or 0), words)
        return data

    def send(self, phone_number_id: str, payload: dict[str, Any]) -> str:
        """POST /<number>/messages; the new message's id (wamid)."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
        answer = self.call("POST", f"/{phone_number_id}/messages", json=body)
        try:
            return str(answer["messages"][0]["id"])
        except (KeyError, IndexError, TypeError) as exc:
            raise GraphError(200, 0, "WhatsApp answered without a message id") from exc

    def upload(self, phone_number_id: str, name: str, content_type: str, data: bytes) -> str:
        """POST /<number>/media (multipart); the media id to send."""
        answer = self.call(
            "POST",
            f"/{phone_number_id}/media",
            data={"messaging_product": "whatsapp", "type": content_type},
            files={"file": (name, data, content_type)},
        )
        return str(answer.get("id") or "")

    def media_url(self, media_id: str) -> dict[str, Any]:
        """GET /<media id>: its short-lived download URL, MIME type and size."""
        return self.call("GET", f"/{media_id}")

    def download(self, url: str, limit: int) -> bytes:
        """The bytes behind a media URL (sent with the token), at most `limit`."""
        try:
            with self._client.stream("GET", url) as response:
                if response.is_error:
                    raise GraphError(response.status_code, 0, "WhatsApp refused the download")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise GraphError(413, 0, "the file is larger than this desk accepts")
                    chunks.append(chunk)
                return b"".join(chunks)
        except httpx.HTTPError as exc:
            raise GraphError(0, 0, f"WhatsApp could not be reached ({type(exc).__name__})") from exc

    def phone_number(self, phone_number_id: str) -> dict[str, Any]:
        """GET /<number>: its display number and verified name (the connection test)."""
        return self.call(
            "GET",
            f"/{phone_number_id}",
            params={"fields": "display_phone_number,verified_name,quality_rating"},
        )
