"""CSAT and NPS conditions of contact filters and segments (issue 19).

A contact's *last* CSAT (or NPS) answer is the one with the latest `answered_at`
(ties broken by id). "Last CSAT ≤ 2" means: the contact has an answer of that
kind with a score in range and no later answer of the same kind. Written as a
semi-join with an anti-join inside (not a per-row subquery), so PostgreSQL can
start from the answers (index `survey_answer_contact_idx`) and SQLite runs the
same SQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from helpdesk.surveys.models import SurveyKind, SurveyResponse
from helpdesk.surveys.scores import DETRACTOR_MAX, PROMOTER_MIN

type NpsGroup = Literal["promoter", "passive", "detractor"]

NPS_GROUPS: tuple[NpsGroup, ...] = ("promoter", "passive", "detractor")

# Score ranges of the NPS groups (0-10; docs/surveys.md).
NPS_RANGES: dict[NpsGroup, tuple[int, int]] = {
    "promoter": (PROMOTER_MIN, 10),
    "passive": (DETRACTOR_MAX + 1, PROMOTER_MIN - 1),
    "detractor": (0, DETRACTOR_MAX),
}


def last_score_q(kind: SurveyKind, low: int | None, high: int | None) -> Q:
    """Contacts whose latest answer of `kind` scored between `low` and `high` (inclusive;
    None is open-ended). Contacts without an answer of that kind never match."""
    later = SurveyResponse.objects.filter(contact_id=OuterRef("contact_id"), kind=kind).filter(
        Q(answered_at__gt=OuterRef("answered_at"))
        | Q(answered_at=OuterRef("answered_at"), id__gt=OuterRef("id"))
    )
    answers = SurveyResponse.objects.filter(contact_id=OuterRef("pk"), kind=kind)
    if low is not None:
        answers = answers.filter(score__gte=low)
    if high is not None:
        answers = answers.filter(score__lte=high)
    return Q(Exists(answers.exclude(Exists(later))))


def nps_group_q(group: NpsGroup) -> Q:
    """Contacts whose latest NPS answer puts them in `group`."""
    low, high = NPS_RANGES[group]
    return last_score_q(SurveyKind.NPS, low, high)


def answered_within_q(days: int) -> Q:
    """Contacts who answered any survey (CSAT or NPS) in the last `days` days."""
    since = timezone.now() - timedelta(days=days)
    return Q(
        Exists(SurveyResponse.objects.filter(contact_id=OuterRef("pk"), answered_at__gte=since))
    )


def survey_q(
    csat_min: int | None,
    csat_max: int | None,
    nps: NpsGroup | None,
    surveyed_within_days: int | None,
) -> Q:
    """Every survey condition set, AND-ed (an empty Q when none is)."""
    q = Q()
    if csat_min is not None or csat_max is not None:
        q &= last_score_q(SurveyKind.CSAT, csat_min, csat_max)
    if nps is not None:
        q &= nps_group_q(nps)
    if surveyed_within_days is not None:
        q &= answered_within_q(surveyed_within_days)
    return q
