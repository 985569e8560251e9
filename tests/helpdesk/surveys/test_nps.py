"""NPS campaigns: targeting, channel preference, the 90-day limit, the score."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.actions.tickets import do_set_status
from helpdesk.models import Contact, Segment, TicketStatus
from helpdesk.surveys.actions import do_answer, do_send_request
from helpdesk.surveys.models import (
    NpsCampaign,
    RequestStatus,
    SurveyKind,
    SurveyRequest,
    SurveyResponse,
    Target,
)
from helpdesk.surveys.nps import run_campaign, run_due_campaigns
from helpdesk.surveys.scores import nps, nps_score
from tests.helpdesk.actions_helpers import open_ticket

pytestmark = pytest.mark.django_db


def _campaign(**kwargs: Any) -> NpsCampaign:
    defaults: dict[str, Any] = {"name": "Q4", "target": Target.ALL, "starts_at": timezone.now()}
    return NpsCampaign.objects.create(**{**defaults, **kwargs})


def _asked() -> dict[int, SurveyRequest]:
    return {r.contact_id: r for r in SurveyRequest.objects.filter(kind=SurveyKind.NPS)}


@pytest.mark.embedded
def test_it_targets_tagged_contacts_and_those_with_enough_resolved_tickets(
    email_inbox_a: Any, agent_a: Any
) -> None:
    tagged = open_ticket(email_inbox_a, sender="vip@example.com").contact
    Contact.objects.filter(pk=tagged.pk).update(tags=["vip"])
    loyal = open_ticket(email_inbox_a, sender="loyal@example.com")
    do_set_status(agent_a, loyal.pk, TicketStatus.RESOLVED)
    second = open_ticket(email_inbox_a, sender="loyal@example.com", subject="Again")
    do_set_status(agent_a, second.pk, TicketStatus.RESOLVED)
    once = open_ticket(email_inbox_a, sender="once@example.com")
    do_set_status(agent_a, once.pk, TicketStatus.RESOLVED)

    run_campaign(_campaign(target=Target.TAG, tag="VIP"))
    assert set(_asked()) == {tagged.pk}
    SurveyRequest.objects.all().delete()
    run_campaign(_campaign(target=Target.RESOLVED, min_resolved=2))
    assert set(_asked()) == {loyal.contact_id}


def test_it_targets_a_crm_segment(email_inbox_a: Any) -> None:
    fa = open_ticket(email_inbox_a, sender="fa@example.com").contact
    Contact.objects.filter(pk=fa.pk).update(language="fa")
    open_ticket(email_inbox_a, sender="en@example.com")
    segment = Segment.objects.create(name="Persian speakers", definition={"include_ids": [fa.pk]})
    result = run_campaign(_campaign(target=Target.SEGMENT, segment=segment))
    assert set(_asked()) == {fa.pk} and result.asked == 1
    assert _asked()[fa.pk].language == "fa"


@pytest.mark.embedded
def test_it_asks_a_contact_at_most_once_per_cooldown(email_inbox_a: Any) -> None:
    contact = open_ticket(email_inbox_a).contact
    first = run_campaign(_campaign())
    again = run_campaign(_campaign(name="Q1"))
    assert (first.asked, again.asked, again.recently_asked) == (1, 0, 1)
    # After the cool-down (90 days by default) they may be asked again.
    SurveyRequest.objects.update(created_at=timezone.now() - timedelta(days=91))
    assert run_campaign(_campaign(name="Q2")).asked == 1
    # A campaign with a shorter cool-down asks sooner.
    SurveyRequest.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert run_campaign(_campaign(name="Monthly", cooldown_days=30)).asked == 1
    assert SurveyRequest.objects.filter(contact=contact, kind=SurveyKind.NPS).count() == 3


def test_it_uses_the_first_preferred_channel_the_contact_has(
    email_inbox_a: Any, telegram_inbox_a: Any
) -> None:
    by_mail = open_ticket(email_inbox_a, sender="both@example.com")
    only_mail = open_ticket(email_inbox_a, sender="mail@example.com")
    from helpdesk.models import ContactIdentity

    chat = open_ticket(telegram_inbox_a, sender="777")
    ContactIdentity.objects.filter(contact=chat.contact).update(contact=by_mail.contact)
    from helpdesk.models import Ticket

    Ticket.objects.filter(pk=chat.pk).update(contact=by_mail.contact)
    result = run_campaign(_campaign(channel_order=["telegram", "email"]))
    asked = _asked()
    assert asked[by_mail.contact_id].ticket_id == chat.pk
    assert asked[only_mail.contact_id].ticket_id == only_mail.pk
    assert result.asked == 3 - 1  # the telegram-only contact was moved onto by_mail
    assert run_campaign(_campaign(name="sms only", channel_order=["phone"])).unreachable >= 1


def test_it_runs_a_due_campaign_once_and_the_answers_make_the_score(
    email_inbox_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    contacts = [open_ticket(email_inbox_a, sender=f"n{i}@example.com") for i in range(4)]
    later = _campaign(name="later", starts_at=timezone.now() + timedelta(days=1))
    _campaign()
    assert run_due_campaigns() == 1
    assert run_due_campaigns() == 0  # ran once
    later.refresh_from_db()
    assert later.last_run_at is None
    requests = list(SurveyRequest.objects.filter(kind=SurveyKind.NPS).order_by("id"))
    assert len(requests) == len(contacts)
    for request, score in zip(requests, [10, 9, 7, 3], strict=True):
        assert do_send_request(request.pk) is not None
        do_answer(request.pk, score, comment="why" if score < 7 else None)
    assert SurveyRequest.objects.filter(status=RequestStatus.ANSWERED).count() == 4
    figures = nps(SurveyResponse.objects.all(), SurveyRequest.objects.all())
    assert (figures.promoters, figures.passives, figures.detractors) == (2, 1, 1)
    assert figures.score == 25.0 and figures.response_rate == 1.0
    assert nps_score(0, 0, 0) is None and nps_score(1, 2, 4) == -25.0


def test_it_edits_campaigns_and_csat_settings_in_the_admin_without_json(
    admin_user: Any, email_inbox_a: Any
) -> None:
    from django.test import Client

    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    admin_client = Client()
    admin_client.force_login(admin_user)
    response = admin_client.post(
        "/admin/surveys/npscampaign/add/",
        {
            "name": "Spring",
            "enabled": "on",
            "target": "tag",
            "tag": "",
            "min_resolved": "1",
            "channel_order": "telegram\nemail",
            "starts_at_0": "2026-12-10",
            "starts_at_1": "10:00:00",
            "cooldown_days": "90",
        },
    )
    assert response.status_code == 200 and "Name the tag" in response.content.decode()
    bad = admin_client.post(
        "/admin/surveys/npscampaign/add/",
        {
            "name": "x",
            "target": "all",
            "channel_order": "pigeon-post",
            "min_resolved": "1",
            "starts_at_0": "2026-12-10",
            "starts_at_1": "10:00:00",
            "cooldown_days": "90",
        },
    )
    assert "not an installed channel" in bad.content.decode()
    saved = admin_client.post(
        "/admin/surveys/inboxsurvey/add/",
        {
            "inbox": email_inbox_a.pk,
            "enabled": "on",
            "delay_minutes": "30",
            "scale": "stars",
            "ask_comment": "on",
            "skip_tags": "Spam\nnosurvey",
            "min_interval_days": "7",
        },
    )
    assert saved.status_code == 302
    from helpdesk.surveys.models import InboxSurvey

    assert InboxSurvey.objects.get(inbox=email_inbox_a).skip_tags == ["spam", "nosurvey"]
