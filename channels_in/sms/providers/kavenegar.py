"""Kavenegar (kavenegar.com/rest.html): send, account check, received SMS and delivery reports.

The shapes relied on (recorded as fixtures in tests/channels_in/sms/fixtures/):

* `POST {api}/{key}/sms/send.json` with form fields `receptor`, `sender`,
  `message`, `localid` answers `{"return": {"status": 200, "message": ...},
  "entries": [{"messageid", "status", "statustext", "cost", ...}]}`; a refusal
  carries its code in `return.status` (also the HTTP status) and Persian words
  in `return.message`. `localid` (our message id) names the send for later lookups.
* `GET {api}/{key}/account/info.json`: `entries.remaincredit`.
* `GET {api}/{key}/sms/status.json?messageid=1,2`: `entries[]` with
  `messageid`, `status`, `statustext`.
* `GET {api}/{key}/sms/statuslocalmessageid.json?localid=...`: `entries[]`
  with `messageid`, `localid`, `status` (100: no such message).
* Received SMS forwarded to our URL: `messageid`, `from`, `to`, `message`
  (query string or form fields).
* Delivery reports sent to our URL: `messageid`, `status` (the codes below).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from channels_in.sms.models import SmsStatus
from channels_in.sms.providers import http
from channels_in.sms.providers.base import (
    BadPayload,
    IncomingSms,
    ProviderError,
    Receipt,
    Report,
    text_field,
)
from channels_in.sms.providers.generic import local_number

if TYPE_CHECKING:
    from channels_in.sms.models import SmsConfig

# Kavenegar's message status codes.
STATUSES: dict[int, tuple[SmsStatus, str]] = {
    1: (SmsStatus.QUEUED, "in the send queue"),
    2: (SmsStatus.QUEUED, "scheduled"),
    4: (SmsStatus.SENT, "sent to the telecom centre"),
    5: (SmsStatus.SENT, "sent to the operator"),
    6: (SmsStatus.FAILED, "failed"),
    10: (SmsStatus.DELIVERED, "delivered"),
    11: (SmsStatus.FAILED, "not delivered"),
    13: (SmsStatus.FAILED, "cancelled"),
    14: (SmsStatus.FAILED, "blocked by the recipient"),
    100: (SmsStatus.FAILED, "unknown message id"),
}
# Refusals worth retrying: the service was busy or down.
TEMPORARY = {409, 429, 500, 502, 503, 504}


class Kavenegar:
    def __init__(self, config: SmsConfig) -> None:
        self.config = config

    def _url(self, method: str) -> str:
        return f"{self.config.api_url.rstrip('/')}/{self.config.api_key}/{method}.json"

    def _call(self, method: str, verb: str = "GET", **kwargs: Any) -> Any:
        if not self.config.api_key:
            raise ProviderError("no Kavenegar API key is configured", permanent=True)
        answer = http.call(verb, self._url(method), redact=self.config.api_key, **kwargs)
        body = answer.json()
        returned = body.get("return") if isinstance(body, dict) else None
        code = returned.get("status") if isinstance(returned, dict) else None
        words = str(returned.get("message", "")) if isinstance(returned, dict) else ""
        if answer.status == 200 and code == 200:
            return body.get("entries")
        code = code if isinstance(code, int) else answer.status
        reason = f"Kavenegar {code}: {words or answer.text[:200] or 'no answer'}"
        raise ProviderError(reason, permanent=code not in TEMPORARY)

    def send(self, to: str, text: str, reference: str) -> Receipt:
        """sms/send.json, named by `reference` (Kavenegar's localid)."""
        form = {
            "receptor": local_number(to),
            "sender": self.config.sender_number,
            "message": text,
            "localid": reference,
        }
        entries = self._call("sms/send", "POST", form=form)
        if not isinstance(entries, list) or not entries or not isinstance(entries[0], dict):
            raise ProviderError(
                "Kavenegar accepted the text but named no message id", permanent=False
            )
        entry = entries[0]
        status, _words = STATUSES.get(_int(entry.get("status")) or 1, (SmsStatus.QUEUED, ""))
        return Receipt(
            provider_message_id=str(entry.get("messageid", "")),
            status=status,
            provider_status=str(entry.get("status", "")),
            words=str(entry.get("statustext", "")),
            cost=_decimal(entry.get("cost")),
        )

    def statuses(self, message_ids: list[str]) -> list[Report]:
        """sms/status.json for up to 500 ids (Kavenegar's limit): where each text is now."""
        entries = self._call("sms/status", query={"messageid": ",".join(message_ids[:500])})
        reports = []
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict) or "messageid" not in entry:
                continue
            code = _int(entry.get("status"))
            status, words = STATUSES.get(code, (None, "")) if code is not None else (None, "")
            reports.append(
                Report(
                    message_id=str(entry["messageid"]),
                    status=status,
                    provider_status=str(entry.get("status", "")),
                    words=words,
                )
            )
        return reports

    def sent_before(self, reference: str) -> bool:
        """sms/statuslocalmessageid.json: did a send with this localid reach Kavenegar?"""
        entries = self._call("sms/statuslocalmessageid", query={"localid": reference})
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and _int(entry.get("status")) not in (None, 100):
                return True
        return False

    def check(self) -> str:
        """account/info.json: the key works; the remaining credit."""
        entries = self._call("account/info")
        credit = entries.get("remaincredit") if isinstance(entries, dict) else None
        return f"Kavenegar accepted the API key; remaining credit: {credit}"

    def parse_inbound(self, data: Mapping[str, Any]) -> list[IncomingSms]:
        return [
            IncomingSms(
                message_id=text_field(data, "messageid", limit=100),
                number=text_field(data, "from", limit=32),
                text=text_field(data, "message", required=False, limit=10_000),
                line=text_field(data, "to", required=False, limit=32),
            )
        ]

    def parse_report(self, data: Mapping[str, Any]) -> list[Report]:
        raw = text_field(data, "status", limit=10)
        code = _int(raw)
        if code is None:
            raise BadPayload(f"status {raw!r} is not a Kavenegar status code")
        status, words = STATUSES.get(code, (None, ""))
        return [
            Report(
                message_id=text_field(data, "messageid", limit=100),
                status=status,
                provider_status=raw,
                words=words,
            )
        ]


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None
