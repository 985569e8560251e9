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
