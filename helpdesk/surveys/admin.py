"""Admin: CSAT per inbox and NPS campaigns edited as forms (no JSON), answers to read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from helpdesk import channels
from helpdesk.admin_fields import LinesField
from helpdesk.surveys.models import (
    InboxSurvey,
    NpsCampaign,
    SurveyRequest,
    SurveyResponse,
    Target,
)
from helpdesk.surveys.scores import DETRACTOR_MAX, PROMOTER_MIN, nps_score, response_rate


def _tag(line: str) -> str:
    return line.strip().lower()[:50]


def _channel(line: str) -> str:
    kind = line.strip().lower()
    if kind not in channels.kinds():
        raise ValueError(_("not an installed channel (%(kinds)s)") % {"kinds": channels.kinds()})
    return kind


class InboxSurveyForm(forms.ModelForm):  # type: ignore[type-arg]
    skip_tags = LinesField(
        label=_("skip tickets with these tags"), help_text=_("One tag per line"), clean_line=_tag
    )

    class Meta:
        model = InboxSurvey
        fields = [
            "inbox",
            "enabled",
            "delay_minutes",
            "question_en",
            "question_fa",
            "scale",
            "ask_comment",
            "skip_tags",
            "skip_auto_resolved",
            "min_interval_days",
        ]
        help_texts = {
            "question_en": _("Empty: “How would you rate the support you received?”"),
            "question_fa": _("Empty: the Persian default question"),
        }


@admin.register(InboxSurvey)
class InboxSurveyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = InboxSurveyForm
    list_display = ["inbox", "enabled", "delay_minutes", "scale", "min_interval_days"]
    list_filter = ["enabled", "scale"]


class NpsCampaignForm(forms.ModelForm):  # type: ignore[type-arg]
    channel_order = LinesField(
        label=_("channels, in order of preference"),
        help_text=_("One channel per line (email, telegram, webchat…); empty: any written one"),
        clean_line=_channel,
    )

    class Meta:
        model = NpsCampaign
        fields = [
            "name",
            "enabled",
            "question_en",
            "question_fa",
            "target",
            "tag",
            "min_resolved",
            "segment",
            "channel_order",
            "starts_at",
            "cooldown_days",
        ]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("target") == Target.TAG and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Name the tag to target."))
        if data.get("target") == Target.SEGMENT and not data.get("segment"):
            self.add_error("segment", _("Choose the segment to target."))
        return data


@admin.register(NpsCampaign)
class NpsCampaignAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = NpsCampaignForm
    list_display = ["name", "target", "starts_at", "enabled", "last_run_at", "score", "rate"]
    list_filter = ["enabled", "target"]
    readonly_fields = ["last_run_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[NpsCampaign]:
        """Each campaign with its answer counts, in the list's one query."""
        answered = Q(requests__response__isnull=False)
        campaigns: QuerySet[NpsCampaign] = super().get_queryset(request)
        return campaigns.annotate(
            answers=Count("requests__response"),
            promoters=Count(
                "requests", filter=answered & Q(requests__response__score__gte=PROMOTER_MIN)
            ),
            detractors=Count(
                "requests", filter=answered & Q(requests__response__score__lte=DETRACTOR_MAX)
            ),
            sent=Count("requests", filter=Q(requests__sent_at__isnull=False)),
        )

    @admin.display(description=_("NPS"))
    def score(self, campaign: Any) -> str:
        value = nps_score(campaign.promoters, campaign.detractors, campaign.answers)
        return "—" if value is None else f"{value:+.1f}"

    @admin.display(description=_("response rate"))
    def rate(self, campaign: Any) -> str:
        value = response_rate(campaign.answers, campaign.sent)
        return "—" if value is None else f"{value:.0%} ({campaign.answers}/{campaign.sent})"


class _ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SurveyRequest)
class SurveyRequestAdmin(_ReadOnly):
    list_display = ["id", "kind", "status", "skip_reason", "ticket", "channel", "sent_at"]
    list_filter = ["kind", "status", "skip_reason", "channel"]
    list_select_related = ["ticket"]
    raw_id_fields = ["ticket", "contact", "message"]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(_ReadOnly):
    list_display = ["id", "kind", "score", "ticket", "channel", "answered_at"]
    list_filter = ["kind", "score", "channel"]
    list_select_related = ["ticket"]
    search_fields = ["comment"]
    raw_id_fields = ["ticket", "contact", "request"]
