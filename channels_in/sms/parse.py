"""A webhook request's fields, whatever way the provider sends them.

Kavenegar and most Iranian gateways call back with a query string or form
fields; others post JSON (an object, or a list of objects for a batch). Each
becomes a plain dict of str -> JSON value; anything else is BadPayload (400).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from channels_in.sms.providers.base import BadPayload
from helpdesk.inbound import clean_text
from helpdesk.webhooks import BadBody, load_json

MAX_ITEMS = 100  # a batch larger than this is not a webhook we expect


def request_items(request: HttpRequest) -> list[dict[str, Any]]:
    """The objects a webhook carries: JSON body, form body, or the query string."""
    content_type = request.content_type or ""
    if request.method == "POST" and "json" in content_type:
        try:
            data = load_json(request.body)
        except BadBody as exc:
            raise BadPayload(str(exc)) from exc
        items = data if isinstance(data, list) else [data]
        if not items or len(items) > MAX_ITEMS or not all(isinstance(i, dict) for i in items):
            raise BadPayload("expected a JSON object, or a list of up to 100 objects")
        return items
    try:
        fields = request.POST if request.method == "POST" and request.POST else request.GET
        item = {clean_text(k): clean_text(str(v)) for k, v in fields.items()}
    except UnicodeDecodeError as exc:
        raise BadPayload("the fields are not UTF-8") from exc
    if not item:
        raise BadPayload("the request carries no fields")
    return [item]
