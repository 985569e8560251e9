from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from helpdesk.actions.errors import ActionError
from helpdesk.api.auth import TokenAuth

api = NinjaAPI(
    title="Helpdesk API",
    version="1",
    urls_namespace="api-v1",
    auth=TokenAuth(),
    docs_url="/docs",
)

# Each package mounts its own router; the core owns tickets, contacts and events.
api.add_router("/kb/", "knowledge_base.api.router")


@api.exception_handler(ActionError)
def on_action_error(request: HttpRequest, exc: ActionError) -> HttpResponse:
    body: dict[str, object] = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "missing or invalid bearer token"}, status=401)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p not in {"body", "query"}),
            "message": err.get("msg", "invalid"),
        }
        for err in exc.errors
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    return api.create_response(
        request,
        {"detail": f"{first['field']}: {first['message']}", "errors": errors},
        status=422,
    )
