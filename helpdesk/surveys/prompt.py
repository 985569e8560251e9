"""What a survey prompt says, in the contact's language, and the data native channels draw.

Every prompt is an ordinary outbound message: its text carries the question and
the link (so any channel can deliver it), its HTML one-click links per score
(email), and `channel_meta["survey"]` the data a channel with a native prompt
(ChannelSpec.survey_prompt = NATIVE: Telegram buttons, the widget's rating) draws.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from helpdesk.digits import persian_digits
from helpdesk.surveys.models import Scale, SurveyKind, SurveyRequest
from helpdesk.surveys.tokens import make_token

FACES = {1: "😠", 2: "😟", 3: "😐", 4: "😊", 5: "😍"}


def language_for(contact_language: str) -> str:
    """The prompt's language: Persian for Persian speakers, English otherwise."""
    return "fa" if (contact_language or "").lower().startswith("fa") else "en"


def default_question(kind: str, language: str) -> str:
    """The built-in question in `language` (a translated string)."""
    with translation.override(language):
        if kind == SurveyKind.NPS:
            return _("How likely are you to recommend us to a friend or colleague?")
        return _("How would you rate the support you received?")


def digits_for(value: int | str, language: str) -> str:
    """A number as the prompt's reader writes it (Persian digits in Persian)."""
    text = str(value)
    return persian_digits(text) if language == "fa" else text


def score_label(request: SurveyRequest, score: int) -> str:
    """How a score is shown on a button: a face, stars, or the number (NPS)."""
    if request.kind == SurveyKind.NPS:
        return digits_for(score, request.language)
    if request.scale == Scale.STARS:
        return "★" * score
    return FACES.get(score, str(score))


def scores(request: SurveyRequest) -> list[int]:
    """Every score of the request's scale, lowest first."""
    return list(range(request.min_score, request.max_score + 1))


def survey_url(token: str, score: int | None = None) -> str:
    """The public page's absolute URL (optionally with a score: the email's one-click links)."""
    path = reverse("surveys:page", args=[token])
    query = f"?score={score}" if score is not None else ""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}{query}"


def build(request: SurveyRequest, *, native: bool = False) -> tuple[str, str, dict[str, Any]]:
    """(text, html, survey meta) of the prompt for `request` (its pk must exist).

    A channel that draws the scale itself (`native`) gets the question alone as text;
    the HTML always has the one-click links (email, and copies sent by email).
    """
    token = make_token(request.pk)
    language = request.language or "en"
    with translation.override(language):
        lowest = digits_for(request.min_score, language)
        highest = digits_for(request.max_score, language)
        hint = _("Answer from %(low)s to %(high)s here:") % {"low": lowest, "high": highest}
        text = request.question if native else f"{request.question}\n{hint} {survey_url(token)}"
        links = " ".join(
            f'<a href="{escape(survey_url(token, s))}">{escape(score_label(request, s))}</a>'
            for s in scores(request)
        )
        more = _("Or open the survey page")
        direction = "rtl" if language == "fa" else "ltr"
        html = (
            f'<div dir="{direction}"><p>{escape(request.question)}</p><p>{links}</p>'
            f'<p><a href="{escape(survey_url(token))}">{escape(more)}</a></p></div>'
        )
        # A native channel shows the text alone and draws the scale; the HTML, with
        # its one-click links, is for a copy carried by email (a chat visitor who left).
        chosen_text = _("Thank you! Your rating: %(rating)s")
    meta = {
        "request_id": request.pk,
        "kind": request.kind,
        "token": token,
        "url": survey_url(token),
        "question": request.question,
        "language": language,
        "scale": request.scale,
        "min": request.min_score,
        "max": request.max_score,
        "labels": {str(s): score_label(request, s) for s in scores(request)},
        "thanks": chosen_text,
    }
    return text, html, meta
