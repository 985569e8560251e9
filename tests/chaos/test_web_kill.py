"""Chaos 2: the web process (uvicorn on config.asgi) SIGKILLed during concurrent API
writes whose clients retry with the same Idempotency-Key.

Four clients add ten notes each to one ticket, after one more note whose client
hung up before its answer (retried at the end). Two of each client's requests give
up on their answer after 5 ms (a client timeout) and are sent again. When a
third of the notes are acknowledged the web process is killed mid-traffic and
started again on the same port; the clients keep retrying until it answers.
Every note is stored exactly once, and every 201 a client saw is a stored note.
"""

from __future__ import annotations

import socket
from collections import Counter
from typing import Any

import httpx
import pytest

from helpdesk.models import Direction, IdempotentRequest, Message, Ticket
from tests import factories
from tests.chaos.clients import RetryingClient, join_clients, start_clients
from tests.chaos.processes import WebProcess, wait_until

pytestmark = [pytest.mark.chaos, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 4
NOTES = 10  # per client
WAIT = 60.0
LOST = "note whose answer was lost"


def _post_and_hang_up(web: WebProcess, token: str, path: str, text: str) -> None:
    """POST a note with an Idempotency-Key and close the connection unread once the
    note is stored: a client that lost the answer of a committed write."""
    body = httpx.Request("POST", web.url, json={"text": text}).content  # the retry's bytes
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{web.port}\r\n"
        f"Authorization: Bearer {token}\r\nIdempotency-Key: {text}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", web.port), timeout=WAIT) as raw:
        raw.sendall(head.encode() + body)
        stored = Message.objects.filter(text=text, direction=Direction.NOTE)
        wait_until(stored.exists, WAIT, "the note to be stored")


def test_a_killed_web_process_loses_no_acknowledged_write_and_stores_each_once(
    web: WebProcess, mail_ticket: Ticket, chaos_agent: Any
) -> None:
    keys = [[f"note c{c} n{n}" for n in range(NOTES)] for c in range(CLIENTS)]
    impatient = frozenset(mine[n] for mine in keys for n in (2, 7))
    token = factories.make_token(chaos_agent)
    client = RetryingClient(web.url, token, impatient)
    path = f"/api/v1/tickets/{mail_ticket.pk}/notes"
    _post_and_hang_up(web, token, path, LOST)
    threads = start_clients(client, path, keys)

    wait_until(lambda: client.acknowledged() >= CLIENTS * NOTES // 3, WAIT, "a third acked")
    web.kill()
    killed_at = client.acknowledged()
    web.start()
    join_clients(threads, WAIT)
    # The note whose answer was lost before the kill: its retry, served by the new
    # process, is the first process's stored answer.
    lost = client.post(path, LOST, {"text": LOST})
    assert lost.status == 201 and lost.replayed and lost.attempts == 1

    outcomes = {o.key: o for o in client.outcomes}
    assert len(outcomes) == CLIENTS * NOTES + 1
    assert {o.status for o in outcomes.values()} == {201}
    notes = Message.objects.filter(ticket=mail_ticket, direction=Direction.NOTE)
    stored = dict(notes.values_list("text", "pk"))
    # Each note once; the id every client was given is the note stored for its key.
    assert Counter(notes.values_list("text", flat=True)) == Counter(list(outcomes))
    assert {key: o.body["id"] for key, o in outcomes.items()} == stored
    assert IdempotentRequest.objects.count() == CLIENTS * NOTES + 1
    # The faults really happened: the kill cut requests off mid-traffic, and every
    # impatient first attempt timed out (retried: answered fresh, or from the stored
    # response when the first attempt had committed).
    assert killed_at < CLIENTS * NOTES
    assert sum(1 for o in outcomes.values() if o.errors) >= len(impatient)
    print(  # the figures docs/reliability.md quotes (pytest -s)
        f"acked before kill {killed_at}, retried {sum(bool(o.errors) for o in outcomes.values())}, "
        f"replayed {sum(o.replayed for o in outcomes.values())}, "
        f"attempts {sum(o.attempts for o in outcomes.values())}"
    )
