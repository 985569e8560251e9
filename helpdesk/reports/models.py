"""Per-ticket facts (one row per conversation) and the hourly rollup built from them.

Definitions of every figure: helpdesk/reports/metrics.py and docs/reports.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# What a report filters on besides time (helpdesk/reports/filters.py).
DIMENSIONS = ["merged", "team_id_value", "inbox_id_value", "agent_id_value", "channel"]


class TicketFact(models.Model):
    """What the reports need of one conversation, stored when its events happen.

    Times are stored twice, in calendar seconds (`*_s`) and in business seconds
    (`*_bs`, open hours of the inbox's business-hours calendar), so switching the
    business-hours toggle never recomputes history.
    """

    ticket = models.OneToOneField(
        "helpdesk.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="report_fact"
    )
    inbox_id_value = models.BigIntegerField(db_column="inbox_id")
    team_id_value = models.BigIntegerField(default=0, db_column="team_id")  # 0: no team
    agent_id_value = models.BigIntegerField(default=0, db_column="agent_id")  # 0: unassigned
    channel = models.CharField(max_length=16)
    contact_id_value = models.BigIntegerField(db_column="contact_id")
    status = models.CharField(max_length=10)
    merged = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True)
    first_response_s = models.FloatField(null=True)
    first_response_bs = models.FloatField(null=True)
    reply_count = models.IntegerField(default=0)
    reply_sum_s = models.FloatField(default=0)
    reply_sum_bs = models.FloatField(default=0)
    resolved_at = models.DateTimeField(null=True)
    resolution_s = models.FloatField(null=True)
    resolution_bs = models.FloatField(null=True)
    reopened = models.IntegerField(default=0)
    messages_in = models.IntegerField(default=0)
    messages_out = models.IntegerField(default=0)
    # The ticket's tags when the facts were computed (every tag change is an event),
    # so the per-tag rollup moves by the facts' difference like the hourly one.
    tags = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("conversation fact")
        verbose_name_plural = _("conversation facts")
        indexes = [
            models.Index(fields=["created_at"], name="fact_created_idx"),
            # Covering (PostgreSQL): a period's percentiles read only the index.
            models.Index(
                fields=["resolved_at"],
                include=[*DIMENSIONS, "resolution_s", "resolution_bs"],
                name="fact_resolved_cover_idx",
            ),
            models.Index(
                fields=["first_response_at"],
                include=[*DIMENSIONS, "first_response_s", "first_response_bs"],
                name="fact_first_resp_cover_idx",
            ),
            # The conversations open now (reports/backlog.py counts them, by index only):
            # keyed by the dimensions, so a team's count reads only its entries.
            models.Index(
                fields=["team_id_value", "agent_id_value", "inbox_id_value", "channel"],
                condition=Q(resolved_at__isnull=True, merged=False),
                name="fact_open_idx",
            ),
            models.Index(fields=["team_id_value", "created_at"], name="fact_team_created_idx"),
            models.Index(fields=["contact_id_value", "created_at"], name="fact_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"facts of ticket {self.ticket_id}"


class HourlyRollup(models.Model):
    """Sums per half hour x inbox x team x agent x channel (team/agent 0 = none).

    `hour` is the start of a half hour in UTC, so the days and hours of Tehran
    (+03:30) are whole numbers of rows; the issue's "hourly" rollup, twice as fine.

    Each conversation adds: `created` (and its messages, replies and reopens) at
    its creation hour, its first response at the first response's hour, its
    resolution at the resolve's hour. Kept by deltas when a fact changes, and
    rebuilt from the facts by `manage.py rebuild_reports`.
    """

    hour = models.DateTimeField()
    inbox_id_value = models.BigIntegerField(db_column="inbox_id")
    team_id_value = models.BigIntegerField(db_column="team_id")
    agent_id_value = models.BigIntegerField(db_column="agent_id")
    channel = models.CharField(max_length=16)
    created = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    # Of the conversations created in this half hour, those resolved now (their last
    # resolve, wherever it falls): the agents report's "resolved".
    created_resolved = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    messages_in = models.IntegerField(default=0)
    messages_out = models.IntegerField(default=0)
    first_response_count = models.IntegerField(default=0)
    first_response_sum_s = models.FloatField(default=0)
    first_response_sum_bs = models.FloatField(default=0)
    reply_count = models.IntegerField(default=0)
    reply_sum_s = models.FloatField(default=0)
    reply_sum_bs = models.FloatField(default=0)
    resolution_count = models.IntegerField(default=0)
    resolution_sum_s = models.FloatField(default=0)
    resolution_sum_bs = models.FloatField(default=0)

    class Meta:
        verbose_name = _("hourly rollup")
        verbose_name_plural = _("hourly rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "inbox_id_value", "team_id_value", "agent_id_value", "channel"],
                name="rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"rollup {self.hour:%Y-%m-%d %H}:00"


class TagRollup(models.Model):
    """Conversations per half hour x tag x inbox x team x agent x channel.

    A conversation adds 1 to `created` under each of its tags (tag "" when it has
    none) at its creation half hour, and 1 to `resolved` there if it is resolved now.
    Kept by deltas like HourlyRollup, rebuilt with it.
    """

    hour = models.DateTimeField()
    tag = models.CharField(max_length=100)
    inbox_id_value = models.BigIntegerField(db_column="inbox_id")
    team_id_value = models.BigIntegerField(db_column="team_id")
    agent_id_value = models.BigIntegerField(db_column="agent_id")
    channel = models.CharField(max_length=16)
    created = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("tag rollup")
        verbose_name_plural = _("tag rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "hour",
                    "tag",
                    "inbox_id_value",
                    "team_id_value",
                    "agent_id_value",
                    "channel",
                ],
                name="tag_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"tag {self.tag} {self.hour:%Y-%m-%d %H:%M}"


class DurationHistogram(models.Model):
    """How many first responses / resolutions of a UTC day fell in each log-spaced
    duration bucket (helpdesk/reports/histogram.py), per scope: the whole desk
    (team 0, agent 0, scope "a"), a team ("t"), or a team's agent ("g").

    Medians and p90 of long periods are read from it (bounded relative error);
    kept by deltas like HourlyRollup, rebuilt with it.
    """

    scope = models.CharField(max_length=1)
    team_id_value = models.BigIntegerField(db_column="team_id")
    agent_id_value = models.BigIntegerField(db_column="agent_id")
    series = models.CharField(max_length=6)  # frt_s, frt_bs, res_s, res_bs
    day = models.DateField()
    bucket = models.SmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("duration histogram")
        verbose_name_plural = _("duration histograms")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "team_id_value", "agent_id_value", "series", "day", "bucket"],
                name="histogram_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.day} bucket {self.bucket}"


class PresenceState(models.TextChoices):
    """The presences a span records (offline is the absence of a span)."""

    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")


class SpanEnd(models.TextChoices):
    """Why a presence span closed."""

    CHANGE = "change", _("presence changed")
    OFFLINE = "offline", _("went offline (last tab closed, or chose offline)")
    TIMEOUT = "timeout", _("no socket left (timeout)")


class PresenceSpan(models.Model):
    """One stretch of an agent online or away, from a presence change to the next.

    Written when the agent's presence is saved (helpdesk/reports/presence.py);
    `ended_at` is empty while it lasts.
    """

    agent_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence_spans"
    )
    presence = models.CharField(max_length=10, choices=PresenceState.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=12, choices=SpanEnd.choices, blank=True)

    class Meta:
        verbose_name = _("presence span")
        verbose_name_plural = _("presence spans")
        indexes = [
            models.Index(fields=["agent_user", "started_at"], name="span_agent_idx"),
            models.Index(fields=["started_at"], name="span_started_idx"),
            models.Index(
                fields=["agent_user"], condition=Q(ended_at__isnull=True), name="span_open_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.presence} from {self.started_at:%Y-%m-%d %H:%M}"


class WeeklyMailState(models.TextChoices):
    SENT = "sent", _("sent")
    SKIPPED = "skipped", _("skipped")
    FAILED = "failed", _("failed")


class WeeklyReportMail(models.Model):
    """One weekly report mail to one team lead (claimed before it is sent: at most once)."""

    team = models.ForeignKey("helpdesk.Team", on_delete=models.CASCADE, related_name="+")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()  # the lead's local first day of the week being mailed
    state = models.CharField(max_length=8, choices=WeeklyMailState.choices)
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("weekly report mail")
        verbose_name_plural = _("weekly report mails")
        constraints = [
            models.UniqueConstraint(fields=["team", "lead", "week_start"], name="weekly_mail_once")
        ]

    def __str__(self) -> str:
        return f"weekly report of team {self.team_id} for {self.week_start}"
