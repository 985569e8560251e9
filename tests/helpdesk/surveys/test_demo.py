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


def test_it_shows_each_campaigns_score_and_response_rate_in_the_admin(
    admin_user: Any, email_inbox_a: Any, webchat_inbox_a: Any, django_assert_max_num_queries: Any
) -> None:
    from django.test import Client

    tickets = [open_ticket(email_inbox_a, sender=f"adm{i}@example.com") for i in range(8)]
    seed_surveys({"email": email_inbox_a, "webchat": webchat_inbox_a}, tickets)
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    client.get("/admin/surveys/npscampaign/")
    with django_assert_max_num_queries(12):
        page = client.get("/admin/surveys/npscampaign/").content.decode()
    assert "+25.0" in page and "100% (8/8)" in page
