"""Fixtures for the core's tests."""

from __future__ import annotations

import pytest

from helpdesk.models import Inbox, Team
from tests import factories


@pytest.fixture
def webchat_inbox_a(team_a: Team) -> Inbox:
    return factories.make_inbox(team_a, "webchat")


@pytest.fixture
def phone_inbox_a(team_a: Team) -> Inbox:
    return factories.make_inbox(team_a, "phone")


@pytest.fixture
def email_inbox_a2(team_a: Team) -> Inbox:
    """A second mailbox of team A (threading is per inbox)."""
    return factories.make_inbox(team_a, "email", name="second mailbox")
