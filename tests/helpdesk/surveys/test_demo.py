"""The demo's surveys: answered CSAT and NPS over the demo's tickets and contacts."""

from __future__ import annotations

from typing import Any

import pytest

from config.demo_surveys import seed_surveys
from helpdesk.surveys.models import InboxSurvey, NpsCampaign, SurveyKind, SurveyResponse
from helpdesk.surveys.scores import csat, nps
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


def test_it_seeds_answered_csat_and_nps_surveys(email_inbox_a: Any, webchat_inbox_a: Any) -> None:
    tickets = [open_ticket(email_inbox_a, sender=f"demo{i}@example.com") for i in range(8)]
    seed_surveys({"email": email_inbox_a, "webchat": webchat_inbox_a}, tickets)
    assert InboxSurvey.objects.filter(enabled=True).count() == 2
    answers = SurveyResponse.objects.all()
    assert csat(answers).answers == 6 and nps(answers).answers == 8
    assert nps(answers).score == 25.0  # 4 promoters, 2 passives, 2 detractors of 8
    assert NpsCampaign.objects.count() == 2
    assert answers.filter(kind=SurveyKind.NPS).exclude(comment="").exists()
