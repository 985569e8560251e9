"""The permission matrix (tests/security/matrix.py), generated from the desk itself.

Every URL pattern of config.urls, every operation of the served OpenAPI document,
every WebSocket route and every action of the agent socket is tried once per role
and compared with the matrix. An endpoint missing from the matrix fails: the
table is the review of who may use it.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import re
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agents.consumers import AgentConsumer
from config import routing
from helpdesk.staff.decorators import NO_PROFILE_DETAIL
from tests.agents import test_consumers
from tests.security import matrix
from tests.security.conftest import World

# Closes the ORM connection of database_sync_to_async's thread after socket tests.
_close_thread_connections = test_consumers._close_thread_connections

RECORD = os.environ.get("MATRIX_RECORD") == "1"
API_PREFIX = "/api/v1"
# Parameters of the Django admin's own URLs (its object pages are tried with an id
# that does not exist: the admin answers a redirect, or a 404 for view_on_site).
ADMIN_PARAMS = {
    "app_label": "helpdesk",
    "object_id": "999999",
    "rule_id": 999999,
    "content_type_id": 1,
    "url": "x",
}
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        else:
            full = prefix + str(entry.pattern)
            # An unnamed pattern (the admin's redirects and catch-all) is keyed by its route.
            yield namespace + (entry.name or full), full, entry


def url_patterns() -> list[tuple[str, str]]:
    """(name, full pattern) of every URL of the site, except the API's operations."""
    found = []
    for name, pattern, entry in _walk(get_resolver()):
        if entry.callback.__module__.startswith("ninja.operation"):
            continue  # an API operation: checked from the OpenAPI document
        found.append((name, pattern))
    return found


def _path_of(pattern: str, kwargs: dict[str, Any]) -> str:
    """The path of an unnamed pattern (the admin's catch-alls), its parameters filled in."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m[1]]), pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m[1]]), path)
    return "/" + path.replace("^", "").replace("$", "")


def _row_for_url(name: str) -> matrix.Row | None:
    if name in matrix.URLS:
        return matrix.URLS[name]
    namespace = name.split(":", 1)[0] + ":*"
    return matrix.URLS.get(namespace) if ":" in name else None


def _classify(response: Any) -> matrix.Outcome:
    status = int(response.status_code)
    if status == 403:
        kind = response.get("Content-Type", "")
        if kind.startswith("text/html") and b'id="no-profile"' in response.content:
            return "no-profile"
        if kind.startswith("application/json") and (
            json.loads(response.content).get("detail") == NO_PROFILE_DETAIL
        ):
            return "no-profile-json"
    if status in (301, 302, 303, 307, 308):
        location = str(response.get("Location", ""))
        if location.startswith("/admin/login/"):
            return "admin-login"
        if location.startswith("/login/"):
            return "login"
        return "ok"
    return "ok" if 200 <= status < 300 else status


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    """A body with "$name" strings replaced by the fixture's ids."""
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("$"):
        return ids[value[1:]]
    return value


def _send(client: Client, method: str, path: str, body: Any, as_json: bool) -> Any:
    send = getattr(client, method.lower())
    # Each cell runs in a savepoint that is rolled back: a merge or a status
    # change by one role does not change what the next role is asked about.
    with transaction.atomic():
        if as_json:
            response = send(path, json.dumps(body or {}), content_type="application/json")
        elif method == "GET":
            response = send(path)
        else:
            response = send(path, body or {})
        transaction.set_rollback(True)
    return response


def _report(kind: str, observed: dict[str, dict[str, matrix.Outcome]]) -> None:
    if RECORD:
        print(f"\n# {kind}")
        for key, cells in sorted(observed.items()):
            print(f"    {key!r}: row({', '.join(repr(cells[r]) for r in matrix.ROLES)}),")


def _check(
    kind: str, observed: dict[str, dict[str, matrix.Outcome]], table: dict[str, matrix.Row]
) -> None:
    _report(kind, observed)
    wrong = [
        f"{key} as {role}: expected {table_row.outcome(role)!r}, got {got!r}"
        for key, cells in observed.items()
        if (table_row := table.get(key) or _row_for_url(key)) is not None
        for role, got in cells.items()
        if table_row.outcome(role) != got
    ]
    assert not wrong, f"{kind} outside the matrix:\n" + "\n".join(wrong)


@pytest.mark.django_db
@pytest.mark.embedded
def test_it_answers_every_url_as_the_matrix_says(world: World) -> None:
    patterns = url_patterns()
    missing = [name for name, _ in patterns if _row_for_url(name) is None]
    assert RECORD or not missing, (
        f"URLs without an entry in tests/security/matrix.py URLS (add them to the matrix): "
        f"{missing}"
    )
    stale = (
        set(matrix.URLS) - {n for n, _ in patterns} - {n for n in matrix.URLS if n.endswith(":*")}
    )
    assert not stale, f"matrix entries for URLs that no longer exist: {sorted(stale)}"
    observed: dict[str, dict[str, matrix.Outcome]] = {}
    for name, pattern in patterns:
        spec = _row_for_url(name) or matrix.row("ok", "ok", "ok", "ok", "ok")
        kwargs = {}
        for groups in _PARAM.findall(pattern):
            param = groups[0] or groups[1]
            source = spec.params.get(param, param)
            kwargs[param] = world.ids.get(source, ADMIN_PARAMS.get(param, 999999))
        unnamed = name.endswith(pattern)
        path = _path_of(pattern, kwargs) if unnamed else reverse(name, kwargs=kwargs)
        body = _fill(spec.body, world.ids)
        observed[name] = {
            # A fresh session per cell: logging out must not change the next cell.
            role: _classify(_send(world.client(role), spec.method, path, body, as_json=False))
            for role in matrix.ROLES
        }
    _check("URLS", observed, matrix.URLS)


def _operations() -> Iterator[tuple[str, str, str]]:
    doc = Client().get(f"{API_PREFIX}/openapi.json").json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            yield op["operationId"], method.upper(), path


@pytest.mark.django_db
@pytest.mark.embedded
def test_it_answers_every_api_operation_as_the_matrix_says(world: World) -> None:
    operations = list(_operations())
    missing = [op for op, _, _ in operations if op not in matrix.API]
    assert RECORD or not missing, (
        f"API operations without an entry in tests/security/matrix.py API "
        f"(add them to the matrix): {missing}"
    )
    stale = set(matrix.API) - {op for op, _, _ in operations}
    assert not stale, f"matrix entries for operations that no longer exist: {sorted(stale)}"
    clients = {role: world.api_client(role) for role in matrix.ROLES}
    observed: dict[str, dict[str, matrix.Outcome]] = {}
    for op_id, method, template in operations:
        spec = matrix.API.get(op_id) or matrix.row("ok", "ok", "ok", "ok", "ok")
        names = {
            k: str(world.ids[spec.params.get(k, k)]) for k in re.findall(r"\{(\w+)\}", template)
        }
        path = template.format(**names)
        body = _fill(spec.body, world.ids) if method != "GET" else None
        observed[op_id] = {
            role: _classify(_send(clients[role], method, path, body, as_json=method != "GET"))
            for role in matrix.ROLES
        }
    _check("API", observed, matrix.API)


def socket_actions() -> list[str]:
    """The actions AgentConsumer.receive_json dispatches on (read from its source)."""
    source = textwrap.dedent(inspect.getsource(AgentConsumer.receive_json))
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare) and getattr(node.left, "id", None) == "action":
            for comparator in node.comparators:
                for const in ast.walk(comparator):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str):
                        found.append(const.value)
    return found


def test_it_lists_every_websocket_route_and_socket_action() -> None:
    routes = [str(r.pattern) for r in routing.websocket_urlpatterns] + [
        str(r.pattern) for r in routing.public_websocket_urlpatterns
    ]
    missing_routes = [r for r in routes if r not in matrix.WEBSOCKETS]
    assert not missing_routes, (
        f"WebSocket routes without an entry in tests/security/matrix.py WEBSOCKETS "
        f"(add them to the matrix): {missing_routes}"
    )
    actions = socket_actions()
    assert {"resume", "watch", "typing", "presence"} <= set(actions)
    missing = [a for a in actions if a not in matrix.SOCKET_ACTIONS]
    assert not missing, (
        f"agent socket actions without an entry in tests/security/matrix.py SOCKET_ACTIONS "
        f"(add them to the matrix): {missing}"
    )
    stale = set(matrix.SOCKET_ACTIONS) - set(actions) - {"connect"}
    assert not stale, f"matrix entries for socket actions that no longer exist: {sorted(stale)}"


async def _socket_outcome(user: Any, action: str, ids: dict[str, Any]) -> matrix.Outcome:
    from django.contrib.auth.models import AnonymousUser

    communicator = WebsocketCommunicator(AgentConsumer.as_asgi(), "/ws/agent/")
    communicator.scope["user"] = user or AnonymousUser()
    connected, code = await communicator.connect()
    if not connected:
        return f"closed-{code}"
    try:
        hello = await communicator.receive_json_from(timeout=5)
        assert hello["kind"] == "hello"
        if action == "connect":
            return "ok"
        return await _act(communicator, action, ids)
    finally:
        await communicator.disconnect()


async def _frames(communicator: WebsocketCommunicator) -> list[dict[str, Any]]:
    frames = []
    while not await communicator.receive_nothing(timeout=0.2):
        frames.append(await communicator.receive_json_from(timeout=5))
    return frames


async def _act(communicator: WebsocketCommunicator, action: str, ids: dict[str, Any]) -> str:
    ticket_id = ids["ticket_id"]
    if action in {"typing", "viewing", "unwatch"}:
        # These act on a watched ticket: watch it first (refused for another team).
        await communicator.send_json_to({"action": "watch", "ticket_id": ticket_id})
        await _frames(communicator)
    frame: dict[str, Any] = {
        "resume": {"after": 0},
        "watch": {"ticket_id": ticket_id},
        "unwatch": {"ticket_id": ticket_id},
        "typing": {"ticket_id": ticket_id, "mode": "reply", "active": True},
        "viewing": {"ticket_id": ticket_id, "state": "viewing"},
        "presence": {"state": "away"},
    }.get(action, {})
    await communicator.send_json_to({"action": action, **frame})
    frames = await _frames(communicator)
    kinds = [f.get("kind") for f in frames]
    if "error" in kinds:
        return "error"
    if action == "resume":
        ticket_ids = {f["event"].get("ticket_id") for f in frames if f.get("kind") == "event"}
        assert "resumed" in kinds, frames
        return "ok" if ticket_id in ticket_ids else "filtered"
    return "ok"


@pytest.mark.django_db(transaction=True)
@pytest.mark.embedded
async def test_it_answers_every_socket_action_as_the_matrix_says(
    world: World, settings: Any
) -> None:
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    observed: dict[str, dict[str, matrix.Outcome]] = {}
    for action in ["connect", *socket_actions()]:
        observed[action] = {
            role: await _socket_outcome(world.users[role], action, world.ids)
            for role in matrix.ROLES
        }
    _check("SOCKET_ACTIONS", observed, matrix.SOCKET_ACTIONS)
