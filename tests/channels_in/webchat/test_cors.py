"""The widget's HTTP answers name only allowed origins in Access-Control-Allow-Origin."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

SHOP = "https://shop.example.com"
EVIL = "https://evil.example.net"


def test_it_never_echoes_a_refused_origin_on_settings(client: Client, chat_a: Any) -> None:
    url = f"/chat/{chat_a.public_key}/settings/"
    refused = client.get(url, headers={"Origin": EVIL})
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused
    assert "Origin" in refused["Vary"]
    allowed = client.get(url, headers={"Origin": SHOP})
    assert allowed["Access-Control-Allow-Origin"] == SHOP


def test_it_never_echoes_a_refused_origin_on_upload(client: Client, chat_a: Any) -> None:
    url = f"/chat/{chat_a.public_key}/upload/"
    form = {"token": "x", "client_id": "c-1", "file": SimpleUploadedFile("a.txt", b"hi")}
    refused = client.post(url, form, headers={"Origin": EVIL})
    assert refused.status_code == 403
    assert refused.json()["error"] == "origin_refused"
    assert "Access-Control-Allow-Origin" not in refused
    for origin in ("null", "evil"):
        assert "Access-Control-Allow-Origin" not in client.post(
            url, form, headers={"Origin": origin}
        )
    # An allowed page may read the error about its bad form.
    form["file"] = SimpleUploadedFile("a.txt", b"hi")
    bad_form = client.post(url, form, headers={"Origin": SHOP})
    assert bad_form.status_code in {400, 403}
    assert bad_form.json()["error"] != "origin_refused"
    assert bad_form["Access-Control-Allow-Origin"] == SHOP
