"""CSAT and NPS figures, computed in one place (surveys page, API, the reports).

NPS = % promoters (9-10) - % detractors (0-6) of the answers, from -100 to 100.
CSAT = % of answers that are satisfied (4 or 5 of 5), with the average score.
Response rate = answered requests / requests sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet

from helpdesk.surveys.models import RequestStatus, SurveyKind, SurveyRequest, SurveyResponse

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
SATISFIED_MIN = 4


@dataclass(frozen=True, slots=True)
class NpsFigures:
    answers: int
    promoters: int
    passives: int
    detractors: int
    score: float | None  # None without answers
    sent: int
    response_rate: float | None  # 0..1, None when nothing was sent


@dataclass(frozen=True, slots=True)
class CsatFigures:
    answers: int
    satisfied: int
    average: float | None
    score: float | None  # % satisfied
    sent: int
    response_rate: float | None


def nps_score(promoters: int, detractors: int, answers: int) -> float | None:
    """% promoters - % detractors, rounded to one decimal; None without answers."""
    if answers <= 0:
        return None
    return round(100.0 * (promoters - detractors) / answers, 1)


def response_rate(answered: int, sent: int) -> float | None:
    """Answered / sent as a fraction (0..1), None when nothing was sent."""
    return round(answered / sent, 4) if sent > 0 else None


def _sent(requests: QuerySet[SurveyRequest]) -> tuple[int, int]:
    counts = requests.aggregate(
        sent=Count("id", filter=Q(status__in=[RequestStatus.SENT, RequestStatus.ANSWERED])),
        answered=Count("id", filter=Q(status=RequestStatus.ANSWERED)),
    )
    return int(counts["sent"]), int(counts["answered"])


def nps(
    responses: QuerySet[SurveyResponse], requests: QuerySet[SurveyRequest] | None = None
) -> NpsFigures:
    """NPS of the given answers (filtered by the caller: period, team, campaign...)."""
    c = responses.filter(kind=SurveyKind.NPS).aggregate(
        answers=Count("id"),
        promoters=Count("id", filter=Q(score__gte=PROMOTER_MIN)),
        detractors=Count("id", filter=Q(score__lte=DETRACTOR_MAX)),
    )
    answers, promoters, detractors = int(c["answers"]), int(c["promoters"]), int(c["detractors"])
    sent, answered = _sent(requests.filter(kind=SurveyKind.NPS)) if requests is not None else (0, 0)
    return NpsFigures(
        answers=answers,
        promoters=promoters,
        passives=answers - promoters - detractors,
        detractors=detractors,
        score=nps_score(promoters, detractors, answers),
        sent=sent,
        response_rate=response_rate(answered, sent),
    )


def csat(
    responses: QuerySet[SurveyResponse], requests: QuerySet[SurveyRequest] | None = None
) -> CsatFigures:
    """CSAT of the given answers: % satisfied (4-5) and the average score."""
    c = responses.filter(kind=SurveyKind.CSAT).aggregate(
        answers=Count("id"),
        satisfied=Count("id", filter=Q(score__gte=SATISFIED_MIN)),
        average=Avg("score"),
    )
    answers, satisfied = int(c["answers"]), int(c["satisfied"])
    sent, answered = (
        _sent(requests.filter(kind=SurveyKind.CSAT)) if requests is not None else (0, 0)
    )
    return CsatFigures(
        answers=answers,
        satisfied=satisfied,
        average=round(float(c["average"]), 2) if c["average"] is not None else None,
        score=round(100.0 * satisfied / answers, 1) if answers else None,
        sent=sent,
        response_rate=response_rate(answered, sent),
    )
