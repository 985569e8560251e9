"""/api/v1/docs works offline under the site's CSP: Swagger UI comes from /static/ninja/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

_URL = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)


def test_it_serves_the_api_docs_with_same_origin_scripts_and_styles(settings: Any) -> None:
    settings.WHITENOISE_USE_FINDERS = True  # serve app static files without collectstatic
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.content.decode()
    urls = _URL.findall(html)
    # Inline code would be blocked; a JSON data block (Swagger's settings) is not code.
    scripts = [
        body
        for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I)
        if "application/json" not in attrs
    ]
    assert urls and all(u.startswith("/static/") for u in urls), urls
    assert not any(body.strip() for body in scripts), "inline script blocked by the CSP"
    assert any(u.endswith("swagger-ui-bundle.js") for u in urls)
    assert any(u.endswith("swagger-ui.css") for u in urls)
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content).strip(), url  # type: ignore[attr-defined]
