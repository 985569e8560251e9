"""No credential in any log line: request paths with tokens, Authorization headers."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

from helpdesk.log_redaction import redact
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_redacts_the_cti_token_from_django_request_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    secret = "cti-Secret-Token-123456"
    response = Client().post(f"{API}/cti/{secret}", "{", content_type="application/json")
    assert response.status_code >= 400
    assert any("/api/v1/cti/[redacted]" in r.getMessage() for r in caplog.records)
    assert secret not in caplog.text


def test_it_never_logs_an_authorization_header_under_debug(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DEBUG = True
    caplog.set_level(logging.DEBUG)
    for header in ("Basic c2VjcmV0LXBhc3N3b3Jk", "hd_SuperSecretValue99", "Token hd_abcdefgh123"):
        response = Client(HTTP_AUTHORIZATION=header).get(f"{API}/me")
        assert response.status_code == 401
    assert "c2VjcmV0LXBhc3N3b3Jk" not in caplog.text
    assert "SuperSecretValue99" not in caplog.text
    assert "abcdefgh123" not in caplog.text


def test_it_redacts_known_credential_shapes() -> None:
    line = (
        "GET /chat/files/abc.SIGNED:xyz/ Authorization: Bearer hd_abcdefghijkl "
        "https://api.telegram.org/bot123456:AAEabcdefghijklmnopqrstuvwxyz/getMe"
    )
    out = redact(line)
    assert "abc.SIGNED" not in out
    assert "hd_abcdefghijkl" not in out
    assert "AAEabcdefghijklmnopqrstuvwxyz" not in out
    assert "/chat/files/[redacted]/" in out
