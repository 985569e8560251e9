"""The public survey page: no login, one answer per request, friendly 404, Persian."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from helpdesk.surveys.actions import do_send_request
from helpdesk.surveys.models import SurveyRequest, SurveyResponse
from helpdesk.surveys.tokens import make_token
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.surveys.helpers import page_url, resolve, resolved_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> SurveyRequest:
    ticket = resolved_ticket(email_inbox_a, agent_a, django_capture_on_commit_callbacks)
    request = SurveyRequest.objects.get(ticket=ticket)
    do_send_request(request.pk)
    return SurveyRequest.objects.get(pk=request.pk)


def test_it_shows_the_question_without_login_and_records_a_posted_answer(
    sent: SurveyRequest,
) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(page_url(sent))
    assert page.status_code == 200
    html = page.content.decode()
    assert "How would you rate" in html and 'name="score"' in html
    token = page.cookies["csrftoken"].value
    posted = client.post(
        page_url(sent), {"score": "4", "comment": "Good", "csrfmiddlewaretoken": token}
    )
    assert posted.status_code == 302
    answer = SurveyResponse.objects.get(request=sent)
    assert (answer.score, answer.comment, answer.answered_via) == (4, "Good", "page")
    thanks = client.get(posted["Location"]).content.decode()
    assert "Thank you" in thanks and "Update my answer" in thanks and ">Good</textarea>" in thanks


def test_it_preselects_a_one_click_score_but_records_only_the_submitted_form(
    sent: SurveyRequest,
) -> None:
    # A link scanner that fetches the URL records nothing; the page's module submits it.
    html = Client().get(page_url(sent, 5)).content.decode()
    assert 'data-autosubmit="1"' in html
    assert 'value="5" autocomplete="off" checked' in html
    assert not SurveyResponse.objects.exists()


@pytest.mark.embedded
def test_it_stores_one_row_for_double_submits_and_changes_it(sent: SurveyRequest) -> None:
    client = Client()
    for score in ("2", "2", "5"):
        client.post(page_url(sent), {"score": score, "comment": ""})
    assert SurveyResponse.objects.filter(request=sent).count() == 1
    assert SurveyResponse.objects.get(request=sent).score == 5


def test_it_refuses_off_scale_scores_without_storing(sent: SurveyRequest) -> None:
    response = Client().post(page_url(sent), {"score": "9"})
    assert response.status_code == 422
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("how", ["tampered", "expired", "unknown", "garbage"])
def test_it_answers_bad_links_with_a_friendly_404_page(sent: SurveyRequest, how: str) -> None:
    token = make_token(sent.pk)
    if how == "tampered":
        token = make_token(sent.pk + 1000)[:-3] + token[-3:]
    elif how == "expired":
        SurveyRequest.objects.filter(pk=sent.pk).update(sent_at=timezone.now() - timedelta(days=8))
    elif how == "unknown":
        token = make_token(sent.pk + 1000)
    else:
        token = "not-a-token"
    url = reverse("surveys:page", args=[token])
    for response in (Client().get(url), Client().post(url, {"score": "5"})):
        assert response.status_code == 404
        assert "no longer valid" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_it_refuses_a_token_signed_more_than_seven_days_ago(sent: SurveyRequest) -> None:
    # The signature's own date is checked too, whatever the row says.
    from unittest import mock

    from django.core import signing

    with mock.patch("time.time", return_value=(timezone.now() - timedelta(days=8)).timestamp()):
        old = make_token(sent.pk)
    assert signing.loads(old, salt="helpdesk.surveys.link")  # well signed...
    response = Client().get(reverse("surveys:page", args=[old]))
    assert response.status_code == 404  # ...but too old


def test_it_renders_persian_right_to_left_with_persian_digits(
    csat_on: Any, email_inbox_a: Any, agent_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    ticket = open_ticket(email_inbox_a)
    ticket.contact.language = "fa"
    ticket.contact.save(update_fields=["language"])
    resolve(agent_a, ticket, django_capture_on_commit_callbacks)
    request = SurveyRequest.objects.get(ticket=ticket)
    do_send_request(request.pk)
    html = Client().get(page_url(request)).content.decode()
    assert 'lang="fa" dir="rtl"' in html
    assert "bootstrap.rtl.min.css" in html
    assert "۱" in html and "۵" in html
    # Persian digits posted by a Persian keyboard count.
    Client().post(page_url(request), {"score": "۴"})
    assert SurveyResponse.objects.get(request=request).score == 4
