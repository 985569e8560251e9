"""Fixtures for the survey tests: an inbox with CSAT on, and a resolved ticket's request."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.surveys.models import InboxSurvey


@pytest.fixture
def csat_on(email_inbox_a: Any) -> InboxSurvey:
    """CSAT right after resolving, on team A's mailbox."""
    return InboxSurvey.objects.create(inbox=email_inbox_a, enabled=True, min_interval_days=7)
