"""One small HTTP client for the providers (standard library: no extra dependency).

Network trouble is a temporary ProviderError; the caller decides what an HTTP
status means for its provider.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from channels_in.sms.providers.base import ProviderError

TIMEOUT_SECONDS = 15.0
MAX_ANSWER = 1_000_000


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        """The body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def call(
    method: str,
    url: str,
    *,
    query: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
    redact: str = "",
) -> Answer:
    """One request; `redact` (an API key in the URL) never appears in an error."""
    if not url.startswith(("http://", "https://")):
        raise ProviderError(
            "the provider's URL must start with http:// or https://", permanent=True
        )
    if query:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
    data: bytes | None = None
    all_headers = {"Accept": "application/json", **(headers or {})}
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
    elif json_body is not None:
        data = json.dumps(json_body, ensure_ascii=False).encode()
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=data, headers=all_headers, method=method)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return Answer(response.status, response.read(MAX_ANSWER).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_ANSWER).decode("utf-8", "replace")
        return Answer(exc.code, body)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = str(getattr(exc, "reason", exc))
        if redact:
            reason = reason.replace(redact, "***")
        raise ProviderError(f"could not reach the provider: {reason}", permanent=False) from exc
