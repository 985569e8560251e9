"""The public survey page `/survey/<signed token>/`: no login, in the contact's language.

GET shows the question (a score from an email's one-click link comes preselected
and the page's module submits it, so a link scanner that fetches URLs without
running scripts records nothing); POST records the answer (one row per request,
changeable while the link is valid) and shows the thanks with the comment box.
A tampered, expired or unknown token gets a friendly 404 page.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from helpdesk.actions.errors import ActionError
from helpdesk.digits import ascii_digits
from helpdesk.surveys import prompt
from helpdesk.surveys.actions import answerable, do_answer
from helpdesk.surveys.forms import AnswerForm
from helpdesk.surveys.models import SurveyRequest, SurveyResponse
from helpdesk.surveys.tokens import read_token


def _gone(request: HttpRequest) -> HttpResponse:
    language = translation.get_language_from_request(request)
    language = "fa" if language.startswith("fa") else "en"
    with translation.override(language):
        response = TemplateResponse(
            request, "surveys/gone.html", {"language": language}, status=404
        )
        return response.render()


def _preselected(request: HttpRequest, low: int, high: int) -> int | None:
    raw = ascii_digits(request.GET.get("score", "")).strip()
    if raw.isdigit() and low <= int(raw) <= high:
        return int(raw)
    return None


@require_http_methods(["GET", "POST"])
def page(request: HttpRequest, token: str) -> HttpResponse:
    """Show the survey, or record an answer to it."""
    request_id = read_token(token)
    survey = (
        SurveyRequest.objects.select_related("ticket").filter(pk=request_id).first()
        if request_id
        else None
    )
    if survey is None or not answerable(survey):
        return _gone(request)
    language = survey.language or "en"
    with translation.override(language):
        form = AnswerForm(
            request.POST if request.method == "POST" else None,
            low=survey.min_score,
            high=survey.max_score,
        )
        if request.method == "POST" and form.is_valid():
            comment = form.cleaned_data["comment"] if survey.ask_comment else None
            try:
                do_answer(survey.pk, form.cleaned_data["score"], comment=comment, via="page")
            except ActionError:
                return _gone(request)
            return HttpResponseRedirect(reverse("surveys:page", args=[token]) + "?thanks=1")
        answer = SurveyResponse.objects.filter(request=survey).first()
        preselected = _preselected(request, survey.min_score, survey.max_score)
        context: dict[str, Any] = {
            "survey": survey,
            "token": token,
            "form": form,
            "answer": answer,
            "options": [
                (s, prompt.score_label(survey, s), prompt.digits_for(s, language))
                for s in prompt.scores(survey)
            ],
            "low": prompt.digits_for(survey.min_score, language),
            "high": prompt.digits_for(survey.max_score, language),
            "chosen": preselected if preselected is not None else (answer and answer.score),
            "autosubmit": preselected is not None and request.method == "GET",
            "thanks": "thanks" in request.GET and answer is not None,
            "language": language,
        }
        status = 422 if request.method == "POST" else 200
        return TemplateResponse(request, "surveys/page.html", context, status=status).render()
