from __future__ import annotations

import json
import math
from typing import Any, cast

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, Throttled, ValidationError
from ninja.parser import Parser

from helpdesk.actions.errors import ActionError
from helpdesk.api import (
    attributes,
    companies,
    contacts,
    events,
    me,
    segments,
    tasks,
    ticket_actions,
    ticket_create,
    tickets,
)
from helpdesk.api.auth import AnonIpRateThrottle, TokenAuth, TokenRateThrottle
from helpdesk.api.openapi import DocumentedAPI


class ObjectParser(Parser):
    """JSON bodies must be objects: `null`, arrays and bare values are refused (400)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the request body must be a JSON object")
        return cast(dict[str, Any], data)


api = DocumentedAPI(
    title="Helpdesk API",
    version="1",
    description="The support desk's JSON API; see docs/api.md.",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs_url="/docs",
    parser=ObjectParser(),
    # Per token here; per client address in TokenAuth (every attempt, before the
    # lookup) and, for the few routes without a token, by AnonIpRateThrottle.
    throttle=[AnonIpRateThrottle(), TokenRateThrottle()],
)

api.add_router("/", me.router)
api.add_router("/", tickets.router)
api.add_router("/", ticket_actions.router)
api.add_router("/", contacts.router)
api.add_router("/", companies.router)
api.add_router("/", segments.router)
api.add_router("/", attributes.router)
api.add_router("/", events.router)
api.add_router("/", ticket_create.router)
api.add_router("/", tasks.router)
# Each package mounts its own router; the core owns tickets, contacts and events.
api.add_router("/kb/", "knowledge_base.api.router")
api.add_router("/calls/", "channels_in.phone.api.router")
api.add_router("/webhooks/", "helpdesk.outbound_webhooks.api.router")
api.add_router("/surveys/", "helpdesk.surveys.api.router")
api.add_router("/reports/", "helpdesk.reports.api.router")


@api.exception_handler(ActionError)
def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "missing or invalid bearer token"}, status=401)


@api.exception_handler(Throttled)
def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "too many requests; retry after the Retry-After seconds"}, status=429
    )
    response["Retry-After"] = str(max(1, math.ceil(exc.wait or 1)))
    return response


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    if isinstance(exc, RequestDataTooBig):
        return api.create_response(request, {"detail": "the request body is too large"}, status=413)
    return api.create_response(request, {"detail": "bad request"}, status=400)


# The parameter names (payload, filters) are not part of the field's name for clients.
_NOT_FIELD = {"body", "query", "path", "payload", "filters"}


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p not in _NOT_FIELD),
            "message": err.get("msg", "invalid"),
        }
        for err in exc.errors
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    body: dict[str, object] = {"detail": f"{first['field']}: {first['message']}", "errors": errors}
    if first["field"]:
        body["field"] = first["field"]
    return api.create_response(request, body, status=422)
