"""The error answers of the API, declared in its OpenAPI document.

Errors come from the exception handlers in helpdesk.api.app (one body shape,
`{"detail", "field"?, "errors"?}`), not from the routes, so each operation's
possible error statuses are added to the document here, from what the operation
is: every one may get a malformed request (400), a failed validation (422) and a
rate limit (429); one with a token also 401 and 403 (its user has no agent
profile; on a write, the role or token scope); one with path parameters 404; a
write also 404 (an object it names), 409 (a stale
`expected_version`, an Idempotency-Key in use) and 413 (a body too large).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from helpdesk.api.idempotency import KEY_PATTERN, MAX_KEY_LENGTH

WRITES = {"post", "put", "patch", "delete"}
ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["detail"],
}
DESCRIPTIONS = {
    400: "Malformed request (not JSON, not an object, bad encoding)",
    401: "Missing, invalid, expired or revoked bearer token",
    403: "The token's user is not an agent, or its role or scope does not allow this",
    404: "No such object, or one the caller may not read",
    409: "Conflict: a stale expected_version, or the Idempotency-Key is in use",
    413: "The request body is too large",
    422: "Validation failed (detail names the field)",
    429: "Rate limited: retry after Retry-After seconds",
}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation may answer, from its method, path and security."""
    statuses = {400, 422, 429}
    if operation.get("security"):
        statuses |= {401, 403}
    if "{" in path:
        statuses.add(404)
    if method in WRITES:
        statuses |= {403, 404, 409, 413}
    return sorted(statuses)


def _optional_body_is_absent(operation: dict[str, Any]) -> None:
    # django-ninja documents an optional body as "the schema or JSON null", but the
    # parser takes only objects (a null body is a 400): optional means "send none".
    body = operation.get("requestBody")
    if not body or body.get("required", False):
        return
    for media in body.get("content", {}).values():
        branches = media.get("schema", {}).get("anyOf", [])
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1 and len(branches) == 2:
            media["schema"] = kept[0]


def _idempotency_key(method: str, operation: dict[str, Any]) -> None:
    # IdempotencyMiddleware reads the header on every POST made with a token.
    if method != "post" or not operation.get("security"):
        return
    operation.setdefault("parameters", []).append(
        {
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "description": "Send the request again with the same key to get the first answer",
            "schema": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_KEY_LENGTH,
                "pattern": KEY_PATTERN,
            },
        }
    )


def declare_errors(schema: OpenAPISchema) -> OpenAPISchema:
    """Add the Error schema, each operation's error responses and the
    Idempotency-Key header of the POSTs to the document."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            _optional_body_is_absent(operation)
            _idempotency_key(method, operation)
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, path, operation):
                responses.setdefault(status, {"description": DESCRIPTIONS[status], **ref})
    return schema


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the errors the API answers."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        return declare_errors(
            super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        )
