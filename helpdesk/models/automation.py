from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BusinessHours(models.Model):
    """Weekly opening hours in a time zone, with holidays.

    `weekly` maps sat..fri to lists of ["HH:MM", "HH:MM"] intervals; an interval
    whose end is before its start runs past midnight. A Saturday-to-Wednesday
    week with a half-day Thursday is {"sat": [["08:00", "17:00"]], ...,
    "thu": [["08:00", "12:00"]], "fri": []}.
    """

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tehran")
    weekly = models.JSONField(_("weekly hours"), default=dict)
    holidays = models.JSONField(_("holidays (YYYY-MM-DD)"), default=list, blank=True)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self) -> str:
        return self.name


class InboxAutomation(models.Model):
    """Per-inbox automatic answers: acknowledgement, out-of-office, article suggestions."""

    inbox = models.OneToOneField(
        "helpdesk.Inbox", on_delete=models.CASCADE, related_name="automation"
    )
    business_hours = models.ForeignKey(
        BusinessHours, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledge = models.BooleanField(_("acknowledge new tickets"), default=False)
    acknowledgement = models.JSONField(
        _("acknowledgement template per language"), default=dict, blank=True
    )
    out_of_office = models.JSONField(
        _("out-of-office template per language"), default=dict, blank=True
    )
    suggest_articles = models.BooleanField(_("answer with matching articles"), default=False)
    suggestion_threshold = models.FloatField(_("minimum article score"), default=0.0)
    max_automatic_per_hour = models.PositiveSmallIntegerField(
        _("automatic messages per contact per hour"), default=3
    )

    class Meta:
        verbose_name = _("inbox automation")
        verbose_name_plural = _("inbox automation")

    def __str__(self) -> str:
        return f"automation of {self.inbox}"


class Trigger(models.TextChoices):
    TICKET_CREATED = "ticket_created", _("Ticket created")
    CUSTOMER_MESSAGE = "customer_message", _("Customer message received")
    AGENT_REPLIED = "agent_replied", _("Agent replied")
    STATUS_CHANGED = "status_changed", _("Status changed")
    NO_CUSTOMER_REPLY = "no_customer_reply", _("No customer reply for N hours")
    NO_AGENT_REPLY = "no_agent_reply", _("No agent reply for N hours")
    # helpdesk.surveys: a CSAT or NPS answer arrived (conditions on survey.score/kind).
    SURVEY_ANSWERED = "survey_answered", _("Survey answered")


class Match(models.TextChoices):
    ALL = "all", _("All conditions hold")
    ANY = "any", _("Any condition holds")


class Rule(models.Model):
    """When <trigger>, if <all (or any) conditions>, then <actions> (see docs/automation.md)."""

    name = models.CharField(_("name"), max_length=200)
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    trigger = models.CharField(_("when"), max_length=24, choices=Trigger.choices)
    hours = models.PositiveIntegerField(_("hours (for the 'no reply' triggers)"), default=0)
    match = models.CharField(_("match"), max_length=3, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    stop_processing = models.BooleanField(_("stop after this rule"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """A rule fired on a ticket; time-based rules fire once per waiting period."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="+")
    trigger = models.CharField(max_length=24)
    # For time triggers: the message time the rule waited after, so it fires once per silence.
    anchor = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["rule", "ticket", "anchor"], name="rulerun_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.ticket_id}"
