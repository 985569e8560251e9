"""Fixtures of the notification tests: on-commit work runs, frames are captured."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from helpdesk import events


@pytest.fixture
def commits(django_capture_on_commit_callbacks: Any) -> Any:
    """`with commits():` runs what the block registered on commit (nested ones too)."""

    def _run() -> Any:
        return django_capture_on_commit_callbacks(execute=True)

    return _run


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[list[str], dict[str, Any]]]]:
    """Frames published to agents' groups (the real publish is tested over sockets)."""
    sent: list[tuple[list[str], dict[str, Any]]] = []
    monkeypatch.setattr(events, "publish", lambda groups, frame: sent.append((groups, frame)))
    yield sent
