"""The demo desk shows the notification center: read and unread notifications per agent."""

from __future__ import annotations

from typing import Any

import pytest

from config.demo import seed
from helpdesk.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_it_gives_the_demo_agents_read_and_unread_notifications(
    settings: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.VAR_DIR = tmp_path / "var"
    with django_capture_on_commit_callbacks(execute=True):
        assert seed() is not None
    for username in ("maryam", "david", "admin"):
        mine = Notification.objects.filter(recipient__username=username)
        assert mine.filter(read_at__isnull=True).count() >= 2, username
        assert mine.filter(read_at__isnull=False).exists(), username
    persian = Notification.objects.filter(recipient__username="maryam").first()
    assert persian is not None and any("\u0600" <= c <= "\u06ff" for c in persian.title)
