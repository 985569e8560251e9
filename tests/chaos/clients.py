"""An API client that does what docs/api.md tells clients to: on a timeout, a lost
connection or a 5xx, send the same request again with the same Idempotency-Key."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

ATTEMPTS = 200  # per request; with RETRY_PAUSE this bounds a request to ~40 s
RETRY_PAUSE = 0.2
TIMEOUT = 10.0


@dataclass
class Outcome:
    key: str
    status: int = 0
    body: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    replayed: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class RetryingClient:
    base_url: str
    token: str
    # The first attempt of these keys gives up after `impatient` seconds without
    # its answer, as a client with a short timeout would, and then retries.
    impatient_keys: frozenset[str] = frozenset()
    impatient: float = 0.005  # no Django view answers within 5 ms: always a timeout
    outcomes: list[Outcome] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def post(self, path: str, key: str, body: dict[str, Any]) -> Outcome:
        """POST until an answer below 500 (bounded by ATTEMPTS); every attempt uses `key`."""
        outcome = Outcome(key)
        headers = {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}
        with httpx.Client(base_url=self.base_url, headers=headers) as client:
            for attempt in range(ATTEMPTS):
                outcome.attempts = attempt + 1
                impatient = attempt == 0 and key in self.impatient_keys
                timeout = httpx.Timeout(TIMEOUT, read=self.impatient if impatient else TIMEOUT)
                try:
                    response = client.post(path, json=body, timeout=timeout)
                except httpx.TransportError as exc:
                    outcome.errors.append(type(exc).__name__)
                else:
                    if response.status_code < 500:
                        outcome.status = response.status_code
                        outcome.body = response.json()
                        outcome.replayed = response.headers.get("Idempotent-Replayed") == "true"
                        break
                    outcome.errors.append(str(response.status_code))
                time.sleep(RETRY_PAUSE)
        with self.lock:
            self.outcomes.append(outcome)
        return outcome

    def acknowledged(self) -> int:
        with self.lock:
            return sum(1 for o in self.outcomes if 200 <= o.status < 300)


def start_clients(
    client: RetryingClient, path: str, keys: list[list[str]]
) -> list[threading.Thread]:
    """One thread per list of keys, each posting {"text": key} for its keys in turn."""

    def _one(mine: list[str]) -> None:
        for key in mine:
            client.post(path, key, {"text": key})

    threads = [threading.Thread(target=_one, args=(mine,), daemon=True) for mine in keys]
    for thread in threads:
        thread.start()
    return threads


def join_clients(threads: list[threading.Thread], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0))
    assert not any(t.is_alive() for t in threads), f"clients still running after {timeout}s"
