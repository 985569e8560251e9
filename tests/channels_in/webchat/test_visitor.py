"""Origin rules and visitor tokens, without a server."""

from __future__ import annotations

import pytest

from channels_in.webchat.models import WebchatConfig
from channels_in.webchat.visitor import (
    VisitorToken,
    origin_allowed,
    read_token,
    user_hash,
    verify_user,
)

pytestmark = pytest.mark.embedded

CONFIG = WebchatConfig(
    inbox_id=7,
    allowed_origins="https://shop.example.com\nblog.example.net\n*.example.org\n",
    identity_secret="",
)


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://shop.example.com", True),
        ("http://shop.example.com", False),
        ("https://shop.example.com:8443", False),
        ("http://blog.example.net:8080", True),
        ("https://a.b.example.org", True),
        ("https://example.org", False),
        ("https://evilexample.org", False),
        ("https://desk.test", True),  # the desk's own page
        ("https://desk.test.evil.com", False),
        ("null", False),
        ("", False),
        (None, False),
        ("file:///etc/passwd", False),
    ],
)
def test_it_allows_only_listed_sites(origin: str | None, allowed: bool) -> None:
    assert origin_allowed(CONFIG, origin, "desk.test") is allowed


def test_it_reads_only_tokens_of_its_own_inbox() -> None:
    token = VisitorToken("abc123", 7).dumps()
    assert read_token(token, CONFIG) == VisitorToken("abc123", 7)
    assert read_token(token, WebchatConfig(inbox_id=8)) is None
    tampered = token[:3] + ("A" if token[3] != "A" else "B") + token[4:]
    assert read_token(tampered, CONFIG) is None
    assert read_token("garbage", CONFIG) is None


def test_it_verifies_the_site_hmac_in_constant_time() -> None:
    config = WebchatConfig(inbox_id=7, identity_secret="s3cret")
    good = user_hash("s3cret", "42")
    assert verify_user(config, "42", good) and verify_user(config, "42", good.upper())
    assert not verify_user(config, "43", good)
    assert not verify_user(WebchatConfig(inbox_id=7, identity_secret=""), "42", good)
