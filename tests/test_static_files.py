"""Production serves its own static files (WhiteNoise), with no proxy rule needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def test_it_serves_collected_static_files_without_debug(settings: Any, tmp_path: Path) -> None:
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", "--no-input", verbosity=0)
    response = Client().get("/static/agents/inbox.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).strip()  # type: ignore[attr-defined]
    assert "max-age" in response["Cache-Control"]
    compressed = Client().get("/static/agents/inbox.css", headers={"Accept-Encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"
    assert Client().get("/static/agents/no-such-file.css").status_code == 404


def test_it_tells_a_user_without_an_agent_profile_what_is_missing(db: None) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("visitor", password="x-long-password-1")
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert "has no agent profile" in response.content.decode()


def test_it_gives_a_new_superuser_an_admin_agent_profile(db: None) -> None:
    from django.contrib.auth import get_user_model

    from helpdesk.models import Role

    root = get_user_model().objects.create_superuser("root", "root@example.com", "x-long-pw-2")
    assert root.agent.role == Role.ADMIN
    client = Client()
    client.force_login(root)
    assert client.get("/").status_code == 200
