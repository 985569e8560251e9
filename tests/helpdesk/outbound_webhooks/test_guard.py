"""SSRF refusals: no connection is ever opened to an address outside loopback.

Names are resolved through `guard.resolve`, which these tests replace: a stubbed
resolver answers with metadata and private addresses, and the refusal happens
before any socket exists (a socket factory that fails proves it).
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from helpdesk.outbound_webhooks import guard, transport
from tests.helpdesk.outbound_webhooks.receiver import Receiver

BODY = b"{}"
HEADERS = {"Content-Type": "application/json"}


@pytest.fixture
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


def stub_resolver(monkeypatch: pytest.MonkeyPatch, *addresses: str) -> list[str]:
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return list(addresses)

    monkeypatch.setattr(guard, "resolve", resolve)
    return asked


@pytest.mark.parametrize(
    "addresses",
    [
        ("169.254.169.254",),  # the cloud metadata service
        ("10.0.0.5",),
        ("172.16.3.4",),
        ("192.168.1.1",),
        ("100.100.100.200",),  # Alibaba's metadata, in the shared 100.64/10
        ("fd00:ec2::254",),  # AWS' IPv6 metadata
        ("fe80::1",),
        ("::ffff:169.254.169.254",),
        ("93.184.215.14", "10.0.0.5"),  # one bad address among good ones is enough
        ("0.0.0.0",),  # noqa: S104 - an address to refuse, nothing binds it
        ("224.0.0.1",),
    ],
)
def test_it_refuses_names_resolving_to_non_public_addresses(
    monkeypatch: pytest.MonkeyPatch, no_sockets: None, settings: Any, addresses: tuple[str, ...]
) -> None:
    settings.HELPDESK_WEBHOOK_ALLOWED_HOSTS = []
    asked = stub_resolver(monkeypatch, *addresses)
    outcome = transport.post("https://hooks.shop.example/in", BODY, HEADERS)
    assert asked == ["hooks.shop.example"]
    assert outcome.status is None and not outcome.retryable
    assert outcome.error.startswith("refused:")
    with pytest.raises(guard.Refused):
        guard.check_url("https://hooks.shop.example/in")


def test_it_allows_what_the_allow_list_names_and_pins_the_checked_address(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    stub_resolver(monkeypatch, "10.1.2.3")
    settings.HELPDESK_WEBHOOK_ALLOWED_HOSTS = ["10.1.2.0/24"]
    target = guard.check_url("https://hooks.internal:8443/in?x=1")
    assert target.connect_url == "https://10.1.2.3:8443/in?x=1"
    assert target.host_header == "hooks.internal:8443"
    settings.HELPDESK_WEBHOOK_ALLOWED_HOSTS = ["hooks.internal"]
    assert guard.check_url("https://hooks.internal/in").address == "10.1.2.3"
    stub_resolver(monkeypatch, "93.184.215.14")
    settings.HELPDESK_WEBHOOK_ALLOWED_HOSTS = []
    assert guard.check_url("http://shop.example/in").connect_url == "http://93.184.215.14:80/in"


def test_it_refuses_loopback_without_the_allow_list_and_sends_with_it(settings: Any) -> None:
    receiver = Receiver().start()
    try:
        settings.HELPDESK_WEBHOOK_ALLOWED_HOSTS = []
        refused = transport.post(receiver.url, BODY, HEADERS)
        assert refused.error.startswith("refused:") and not refused.retryable
        assert receiver.received == []
        settings.HELPDESK_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
        sent = transport.post(receiver.url, BODY, HEADERS)
        assert sent.ok and len(receiver.received) == 1
    finally:
        receiver.stop()


def test_it_treats_a_name_that_does_not_resolve_as_temporary(
    monkeypatch: pytest.MonkeyPatch, no_sockets: None
) -> None:
    def fail(host: str, port: int) -> list[str]:
        raise guard.Unresolvable(f"cannot resolve {host}")

    monkeypatch.setattr(guard, "resolve", fail)
    outcome = transport.post("https://gone.example/in", BODY, HEADERS)
    assert outcome.retryable and outcome.error == "cannot resolve gone.example"


def test_it_reads_retry_after_as_seconds_or_a_date() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert transport.parse_retry_after("120", now) == 120
    assert transport.parse_retry_after("Thu, 03 Dec 2026 18:05:00 GMT", now) == 300
    assert transport.parse_retry_after("soon", now) is None
