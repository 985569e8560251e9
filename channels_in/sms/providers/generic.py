"""A generic HTTP gateway, configured in the admin: any Iranian SMS service (SMS.ir,
Ghasedak, Melipayamak, ...) that sends by one HTTP request and calls a URL back.

Sending: the body template is lines of `name = value` (or a JSON object) whose
values may hold {to}, {text}, {from} and {reference}; it is sent as JSON or as
form fields (or, with GET, as the query string), with an optional auth header.
The provider's id for the text is read at a dotted path of the JSON answer.

Webhooks: received SMS and delivery reports arrive as JSON, form fields or a
query string; the configuration names the fields (dotted paths for JSON).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from channels_in.sms.models import BodyFormat, HttpMethod, SmsStatus
from channels_in.sms.providers import http
from channels_in.sms.providers.base import (
    BadPayload,
    IncomingSms,
    ProviderError,
    Receipt,
    Report,
    field,
    text_field,
)

if TYPE_CHECKING:
    from channels_in.sms.models import SmsConfig

PLACEHOLDERS = ("to_local", "to_digits", "to", "text", "from", "reference")


class TemplateError(ValueError):
    """The body template is not a JSON object (shown in the admin form)."""


def parse_template(template: str) -> dict[str, Any]:
    """The body template as an object: lines of `name = value` (`name[] = value` adds
    to a list, `a.b = value` nests), or a JSON object. TemplateError says what is wrong."""
    text = (template or "").strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise TemplateError(f"not JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise TemplateError("the template must be a JSON object")
        return value
    body: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            _set_line(body, number, line)
    return body


def _set_line(body: dict[str, Any], number: int, line: str) -> None:
    name, equals, value = line.partition("=")
    name, value = name.strip(), value.strip()
    if not equals or not name:
        raise TemplateError(f"line {number}: write one field per line as name = value")
    *parents, last = name.split(".")
    target = body
    for part in parents:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            raise TemplateError(f"line {number}: {part} is already a value")
    if last.endswith("[]"):
        items = target.setdefault(last[:-2], [])
        if not isinstance(items, list):
            raise TemplateError(f"line {number}: {last[:-2]} is already a value")
        items.append(value)
    elif last in target:
        raise TemplateError(f"line {number}: {last} is given twice")
    else:
        target[last] = value


def fill(value: Any, values: Mapping[str, str]) -> Any:
    """The template with {name} replaced in every string (keys included). Values are
    put into parsed JSON, never pasted into JSON text, so a quote in a text is safe."""
    if isinstance(value, str):
        for name in PLACEHOLDERS:
            value = value.replace("{" + name + "}", values.get(name, ""))
        return value
    if isinstance(value, dict):
        return {fill(k, values): fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value


def local_number(e164: str) -> str:
    """09121234567 for an Iranian number, 00<digits> for any other."""
    if e164.startswith("+98"):
        return "0" + e164[3:]
    return "00" + e164.lstrip("+")


def _values(values: Any) -> set[str]:
    return {v.strip().lower() for v in str(values).split(",") if v.strip()}


class GenericGateway:
    def __init__(self, config: SmsConfig) -> None:
        self.config = config

    def _headers(self) -> dict[str, str]:
        name = self.config.auth_header_name.strip()
        return {name: self.config.auth_header_value} if name else {}

    def send(self, to: str, text: str, reference: str) -> Receipt:
        """One request as configured; the answer's id (or ours) names the text.

        `to` is E.164 (+989121234567); the template may use {to}, {to_digits}
        (989121234567) or {to_local} (09121234567 for Iranian numbers)."""
        config = self.config
        if not config.send_url:
            raise ProviderError("the gateway has no send URL configured", permanent=True)
        try:
            template = parse_template(config.body_template)
        except TemplateError as exc:
            raise ProviderError(f"the body template is broken: {exc}", permanent=True) from exc
        values = {
            "to": to,
            "to_digits": to.lstrip("+"),
            "to_local": local_number(to),
            "text": text,
            "from": config.sender_number,
            "reference": reference,
        }
        body = fill(template, values)
        flat = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        kwargs: dict[str, Any] = {"headers": self._headers(), "redact": config.auth_header_value}
        if config.send_method == HttpMethod.GET:
            kwargs["query"] = flat
        elif config.body_format == BodyFormat.FORM:
            kwargs["form"] = flat
        else:
            kwargs["json_body"] = body
        answer = http.call(config.send_method, config.send_url, **kwargs)
        data = answer.json()
        if not 200 <= answer.status < 300:
            words = (
                text_field(data, config.response_error_field, required=False)
                if (config.response_error_field and data is not None)
                else ""
            )
            reason = f"gateway answered HTTP {answer.status}: {words or answer.text[:300]}"
            raise ProviderError(reason, permanent=answer.status < 500 and answer.status != 429)
        provider_id = f"ref-{reference}"
        if config.response_id_field:
            found = field(data, config.response_id_field) if data is not None else None
            if found in (None, ""):
                refusal = (
                    field(data, config.response_error_field)
                    if config.response_error_field and data is not None
                    else None
                )
                raise ProviderError(
                    f"gateway refused the text: {refusal or answer.text[:300]}", permanent=True
                )
            provider_id = str(found)
        return Receipt(provider_message_id=provider_id[:100])

    def check(self) -> str:
        """GET the test URL (or the send URL) with the auth header."""
        url = self.config.check_url or self.config.send_url
        if not url:
            raise ProviderError("the gateway has no URL configured", permanent=True)
        answer = http.call(
            "GET", url, headers=self._headers(), redact=self.config.auth_header_value
        )
        if answer.status in (401, 403):
            raise ProviderError(
                f"the gateway refused the credentials (HTTP {answer.status}): {answer.text[:200]}",
                permanent=True,
            )
        if answer.status >= 500:
            raise ProviderError(f"the gateway failed (HTTP {answer.status})", permanent=False)
        return f"the gateway answered HTTP {answer.status}: {answer.text[:200]}"

    def parse_inbound(self, data: Mapping[str, Any]) -> list[IncomingSms]:
        config = self.config
        number = text_field(data, config.inbound_from_field, limit=32)
        text = text_field(data, config.inbound_text_field, required=False, limit=10_000)
        if config.inbound_id_field:
            message_id = text_field(data, config.inbound_id_field, limit=100)
        else:
            # No id from the gateway: the same body is the same message (a redelivered
            # webhook). Gateways that send no id mostly send a time; name the id field
            # when they send one, or the same text twice is stored once.
            canonical = json.dumps(dict(data), sort_keys=True, ensure_ascii=False, default=str)
            digest = hashlib.sha256(canonical.encode()).hexdigest()[:32]
            message_id = f"h-{digest}"
        return [IncomingSms(message_id=message_id, number=number, text=text)]

    def parse_report(self, data: Mapping[str, Any]) -> list[Report]:
        config = self.config
        raw = text_field(data, config.report_status_field, limit=50)
        status: SmsStatus | None = None
        if raw.lower() in _values(config.report_delivered_values):
            status = SmsStatus.DELIVERED
        elif raw.lower() in _values(config.report_failed_values):
            status = SmsStatus.FAILED
        words = (
            text_field(data, config.report_words_field, required=False, limit=500)
            if (config.report_words_field)
            else ""
        )
        if not raw:
            raise BadPayload("empty status")
        return [
            Report(
                message_id=text_field(data, config.report_id_field, limit=100),
                status=status,
                provider_status=raw,
                words=words or raw,
            )
        ]
