"""Survey settings, campaigns, requests and answers (docs/surveys.md)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("CSAT")
    NPS = "nps", _("NPS")


class Scale(models.TextChoices):
    """How a 1-5 CSAT scale is drawn (NPS is always 0-10)."""

    EMOJI = "emoji", _("1-5 with faces")
    STARS = "stars", _("1-5 stars")


class RequestStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    SKIPPED = "skipped", _("Skipped")


class SkipReason(models.TextChoices):
    NONE = "", _("Not skipped")
    AGENT = "agent", _("Resolved without survey")
    AUTO_RESOLVED = "auto_resolved", _("Resolved by automation")
    TAG = "tag", _("Tagged to skip")
    RECENT = "recent", _("Surveyed recently")
    REOPENED = "reopened", _("Reopened before sending")
    DISABLED = "disabled", _("Surveys turned off")
    UNREACHABLE = "unreachable", _("No channel to reach the contact")


class Target(models.TextChoices):
    ALL = "all", _("All contacts")
    TAG = "tag", _("Contacts with a tag")
    RESOLVED = "resolved", _("Contacts with at least N resolved tickets")
    SEGMENT = "segment", _("A contact segment")


class InboxSurvey(models.Model):
    """CSAT after each resolution of a ticket of this inbox."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox",
        on_delete=models.CASCADE,
        related_name="survey_settings",
        verbose_name=_("inbox"),
    )
    enabled = models.BooleanField(_("send a CSAT survey after resolving"), default=False)
    delay_minutes = models.PositiveIntegerField(_("minutes to wait after resolving"), default=0)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    question_fa = models.CharField(_("question (Persian)"), max_length=300, blank=True)
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices, default=Scale.EMOJI)
    ask_comment = models.BooleanField(_("offer a comment box"), default=True)
    skip_tags = models.JSONField(_("skip tickets with these tags"), default=list, blank=True)
    skip_auto_resolved = models.BooleanField(_("skip tickets resolved by automation"), default=True)
    min_interval_days = models.PositiveIntegerField(
        _("at most one survey per contact every N days"), default=7
    )

    class Meta:
        verbose_name = _("CSAT settings")
        verbose_name_plural = _("CSAT settings")

    def __str__(self) -> str:
        return f"CSAT of {self.inbox}"


class NpsCampaign(models.Model):
    """An NPS question sent to a target group of contacts at a scheduled time."""

    name = models.CharField(_("name"), max_length=200)
    enabled = models.BooleanField(_("enabled"), default=True)
    question_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    question_fa = models.CharField(_("question (Persian)"), max_length=300, blank=True)
    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    tag = models.CharField(_("tag"), max_length=50, blank=True)
    min_resolved = models.PositiveIntegerField(_("minimum resolved tickets"), default=1)
    segment = models.ForeignKey(
        "helpdesk.Segment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("segment"),
    )
    # Identity kinds of the contact's channels, tried in this order ("email", "telegram").
    channel_order = models.JSONField(_("channels, in order of preference"), default=list)
    starts_at = models.DateTimeField(_("send at"))
    cooldown_days = models.PositiveIntegerField(
        _("at most once per contact every N days"), default=90
    )
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("NPS campaign")
        verbose_name_plural = _("NPS campaigns")

    def __str__(self) -> str:
        return self.name


class SurveyRequest(models.Model):
    """One survey asked (or to ask) of one contact about one ticket or campaign."""

    kind = models.CharField(_("kind"), max_length=4, choices=SurveyKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.SCHEDULED
    )
    skip_reason = models.CharField(
        _("why skipped"),
        max_length=16,
        choices=SkipReason.choices,
        default=SkipReason.NONE,
        blank=True,
    )
    contact = models.ForeignKey(
        "helpdesk.Contact",
        on_delete=models.CASCADE,
        related_name="survey_requests",
        verbose_name=_("contact"),
    )
    # The ticket the prompt is sent on (for NPS: the contact's latest on the chosen channel).
    ticket = models.ForeignKey(
        "helpdesk.Ticket",
        on_delete=models.CASCADE,
        related_name="survey_requests",
        verbose_name=_("ticket"),
    )
    campaign = models.ForeignKey(
        NpsCampaign,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="requests",
        verbose_name=_("NPS campaign"),
    )
    # Snapshot at resolution: whom the answer is about, whatever happens to the ticket later.
    inbox = models.ForeignKey(
        "helpdesk.Inbox", on_delete=models.CASCADE, related_name="+", verbose_name=_("inbox")
    )
    team = models.ForeignKey(
        "helpdesk.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agent"),
    )
    channel = models.CharField(_("channel"), max_length=16)
    question = models.CharField(_("question"), max_length=300, blank=True)
    scale = models.CharField(_("scale"), max_length=8, choices=Scale.choices, default=Scale.EMOJI)
    ask_comment = models.BooleanField(_("offer a comment box"), default=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    message = models.ForeignKey(
        "helpdesk.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("message"),
    )
    send_after = models.DateTimeField(_("send after"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("survey request")
        verbose_name_plural = _("survey requests")
        indexes = [
            models.Index(fields=["status", "send_after"], name="survey_due_idx"),
            models.Index(fields=["contact", "kind", "sent_at"], name="survey_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} for ticket {self.ticket_id}"

    @property
    def max_score(self) -> int:
        return 10 if self.kind == SurveyKind.NPS else 5

    @property
    def min_score(self) -> int:
        return 0 if self.kind == SurveyKind.NPS else 1


class SurveyResponse(models.Model):
    """The answer to one request: one row whatever the clicks and replays; changeable
    while the link is valid."""

    request = models.OneToOneField(
        SurveyRequest,
        on_delete=models.CASCADE,
        related_name="response",
        verbose_name=_("survey request"),
    )
    kind = models.CharField(_("kind"), max_length=4, choices=SurveyKind.choices)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MaxValueValidator(10)])
    comment = models.TextField(_("comment"), blank=True)
    contact = models.ForeignKey(
        "helpdesk.Contact", on_delete=models.CASCADE, related_name="+", verbose_name=_("contact")
    )
    ticket = models.ForeignKey(
        "helpdesk.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket")
    )
    inbox = models.ForeignKey(
        "helpdesk.Inbox", on_delete=models.CASCADE, related_name="+", verbose_name=_("inbox")
    )
    team = models.ForeignKey(
        "helpdesk.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("team"),
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agent"),
    )
    channel = models.CharField(_("channel"), max_length=16)
    # Where the answer came from: "page", "webchat", "telegram".
    answered_via = models.CharField(_("answered via"), max_length=16, blank=True)
    answered_at = models.DateTimeField(_("answered"))
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-answered_at", "-id"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [
            models.Index(fields=["kind", "-answered_at", "-id"], name="survey_answer_list_idx"),
            models.Index(fields=["team", "kind", "-answered_at"], name="survey_answer_team_idx"),
            models.Index(fields=["contact", "-answered_at"], name="survey_answer_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.score} on ticket {self.ticket_id}"
