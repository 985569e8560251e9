"""The widget's HTTP side: assets, pages, settings, uploads and attachment links."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from channels_in.webchat.visitor import VisitorToken, new_token
from helpdesk.models import Attachment, Message

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

SHOP = "https://shop.example.com"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def _upload(client: Client, config: Any, token: str, name: str, data: bytes, **kw: Any) -> Any:
    form = {
        "token": token,
        "client_id": kw.pop("client_id", "upload-0001"),
        "file": SimpleUploadedFile(name, data, content_type=kw.pop("content_type", "image/png")),
    }
    return client.post(
        f"/chat/{config.public_key}/upload/", form, headers={"Origin": kw.pop("origin", SHOP)}
    )


def test_it_serves_the_widget_script_to_any_site(client: Client) -> None:
    response = client.get("/chat/widget.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"HelpdeskChat" in response.content
    assert client.get("/chat/widget.css")["Content-Type"].startswith("text/css")


def test_it_gives_settings_only_to_listed_sites(client: Client, chat_a: Any) -> None:
    url = f"/chat/{chat_a.public_key}/settings/"
    refused = client.get(url, headers={"Origin": "https://evil.example.net"})
    assert refused.status_code == 403
    allowed = client.get(url, {"lang": "fa-IR"}, headers={"Origin": SHOP})
    assert allowed.status_code == 200 and allowed["Access-Control-Allow-Origin"] == SHOP
    body = allowed.json()
    assert body["language"] == "fa" and body["dir"] == "rtl"
    assert body["offline"]["reply_time"]
    english = client.get(url, {"lang": "de"}, headers={"Origin": SHOP}).json()
    assert english["dir"] == "ltr" and english["language"] == "en"


def test_it_follows_the_inbox_language_over_the_page(client: Client, chat_a: Any) -> None:
    chat_a.language = "fa"
    chat_a.save()
    url = f"/chat/{chat_a.public_key}/settings/"
    assert client.get(url, {"lang": "en"}, headers={"Origin": SHOP}).json()["dir"] == "rtl"


def test_it_shows_the_demo_and_the_standalone_page(client: Client, chat_a: Any) -> None:
    demo = client.get("/chat/demo/", {"lang": "fa"})
    assert demo.status_code == 200
    assert f'data-key="{chat_a.public_key}"'.encode() in demo.content
    assert b'dir="rtl"' in demo.content
    page = client.get(f"/chat/{chat_a.public_key}/")
    assert page.status_code == 200 and b'data-mode="page"' in page.content
    assert client.get("/chat/not-a-key/").status_code == 404


def test_it_says_when_there_is_no_chat_inbox_for_the_demo(client: Client) -> None:
    assert client.get("/chat/demo/").status_code == 404


def test_it_takes_an_image_as_a_message(client: Client, chat_a: Any) -> None:
    token = new_token(chat_a).dumps()
    response = _upload(client, chat_a, token, "photo.png", PNG)
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == SHOP
    frame = response.json()["message"]
    assert frame["attachments"][0]["image"] is True
    image = client.get(frame["attachments"][0]["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert "sandbox" in image["Content-Security-Policy"]
    again = _upload(client, chat_a, token, "photo.png", PNG)
    assert again.json()["duplicate"] is True
    assert Message.objects.count() == 1 and Attachment.objects.count() == 1


def test_it_refuses_a_file_over_the_limit_with_a_clear_error(client: Client, chat_a: Any) -> None:
    chat_a.attachment_max_bytes = 2 * 1024 * 1024
    chat_a.save()
    token = new_token(chat_a).dumps()
    big = b"x" * (2 * 1024 * 1024 + 1)
    response = _upload(client, chat_a, token, "big.bin", big, content_type="application/zip")
    assert response.status_code == 413
    assert response.json() == {
        "error": "too_large",
        "message": "The file is larger than the 2 MB limit.",
    }
    assert Message.objects.count() == 0


def test_it_refuses_uploads_without_a_valid_token_or_site(
    client: Client, chat_a: Any, chat_b: Any
) -> None:
    forged = VisitorToken("stolen", chat_a.inbox_id).dumps() + "x"
    assert _upload(client, chat_a, forged, "a.png", PNG).status_code == 403
    foreign = new_token(chat_b).dumps()
    assert _upload(client, chat_a, foreign, "a.png", PNG).status_code == 403
    token = new_token(chat_a).dumps()
    assert (
        _upload(client, chat_a, token, "a.png", PNG, origin="https://evil.test").status_code == 403
    )
    assert _upload(client, chat_a, token, "a.png", PNG, client_id="?").status_code == 400
    assert Message.objects.count() == 0


def test_it_downloads_other_files_and_ignores_forged_links(client: Client, chat_a: Any) -> None:
    token = new_token(chat_a).dumps()
    html = b"<script>alert(1)</script>"
    response = _upload(client, chat_a, token, "page.html", html, content_type="text/html")
    url = response.json()["message"]["attachments"][0]["url"]
    download = client.get(url)
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
    assert client.get(url[:-3] + "xx/").status_code == 404


def test_it_keeps_the_identity_secret_out_of_the_admin_form(client: Client, chat_a: Any) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)
    url = f"/admin/channel_webchat/webchatconfig/{chat_a.pk}/change/"
    form = {
        "inbox": chat_a.inbox_id,
        "allowed_origins": "shop.example.com",
        "language": "auto",
        "expected_reply_minutes": 30,
        "rate_limit_per_minute": 5,
        "attachment_max_bytes": 1000,
        "identity_secret": "s3cret-value",
        # The pre-chat questions inline, empty.
        "prechat_fields-TOTAL_FORMS": 0,
        "prechat_fields-INITIAL_FORMS": 0,
    }
    assert client.post(url, form).status_code == 302
    page = client.get(url)
    assert b"s3cret-value" not in page.content and chat_a.public_key.encode() in page.content
    assert client.post(url, {**form, "identity_secret": ""}).status_code == 302
    chat_a.refresh_from_db()
    assert chat_a.identity_secret == "s3cret-value"  # an empty field keeps it
    assert client.post(url, {**form, "clear_identity_secret": "on"}).status_code == 302
    chat_a.refresh_from_db()
    assert chat_a.identity_secret == ""
