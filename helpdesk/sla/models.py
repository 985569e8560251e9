"""SLA policies, the clocks of each ticket, and time-based rules (docs/sla.md)."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


def default_pause_statuses() -> list[str]:
    return ["pending", "snoozed"]


class SlaPolicy(models.Model):
    """Targets per priority for the tickets its conditions select (the first policy,
    by order, whose conditions all hold), counted in business or calendar time."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    business_hours = models.ForeignKey(
        "helpdesk.BusinessHours",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("business hours"),
        help_text=_("Count only open hours of this calendar; empty counts calendar time."),
    )
    pause_statuses = models.JSONField(
        _("statuses that pause the clocks"), default=default_pause_statuses, blank=True
    )
    segments = models.ManyToManyField(
        "helpdesk.Segment",
        blank=True,
        related_name="+",
        verbose_name=_("contact segments"),
        help_text=_("The contact must be in one of these segments; none chosen: any contact."),
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """The minutes a policy allows for one priority; an empty target is not tracked."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=[(1, _("Low")), (2, _("Normal")), (3, _("High")), (4, _("Urgent"))]
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), null=True, blank=True
    )

    class Meta:
        ordering = ["policy", "-priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_target_per_priority")
        ]

    def __str__(self) -> str:
        return f"{self.policy} / {self.priority}"


class AttributeOp(models.TextChoices):
    """The operators of `helpdesk.crm.filters.AttributeCondition` (segments use the same)."""

    EQ = "eq", _("is")
    NE = "ne", _("is not")
    CONTAINS = "contains", _("contains")
    GT = "gt", _("is more than")
    GTE = "gte", _("is at least")
    LT = "lt", _("is less than")
    LTE = "lte", _("is at most")
    SET = "set", _("has a value")
    UNSET = "unset", _("has no value")


class SlaContactCondition(models.Model):
    """A condition on one custom attribute of the ticket's contact (all must hold)."""

    policy = models.ForeignKey(
        SlaPolicy, on_delete=models.CASCADE, related_name="contact_conditions"
    )
    key = models.CharField(
        _("contact attribute"),
        max_length=50,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]{0,49}$")],
        help_text=_("The attribute's key, e.g. plan"),
    )
    op = models.CharField(
        _("operator"), max_length=8, choices=AttributeOp.choices, default=AttributeOp.EQ
    )
    value = models.CharField(_("value"), max_length=200, blank=True)

    class Meta:
        ordering = ["policy", "id"]
        verbose_name = _("contact attribute condition")
        verbose_name_plural = _("contact attribute conditions")

    def __str__(self) -> str:
        return f"{self.key} {self.op} {self.value}"


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


class ClockState(models.TextChoices):
    NONE = "", _("Not tracked")
    ACTIVE = "active", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    STOPPED = "stopped", _("Stopped")


class SlaStatus(models.TextChoices):
    """A ticket's SLA at a glance (the worst of its clocks)."""

    NONE = "none", _("No SLA")
    ACTIVE = "active", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")


class TicketSla(models.Model):
    """The clocks of one ticket, and the moments the time rules wait from.

    Each target has a state, a due time while it runs, its budget (seconds of
    business or calendar time) and, while paused, what is left of it. `next_due_at`
    (the earliest running due time) and `warn_at` are what the scheduler looks up,
    through partial indexes: its cost follows what is due, not how many tickets run.
    """

    ticket = models.OneToOneField(
        "helpdesk.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="sla"
    )
    policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy_name = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=SlaStatus.choices, default=SlaStatus.NONE)

    first_response_state = models.CharField(max_length=10, blank=True, choices=ClockState.choices)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_response_budget = models.PositiveIntegerField(null=True, blank=True)
    first_response_left = models.FloatField(null=True, blank=True)

    next_response_state = models.CharField(max_length=10, blank=True, choices=ClockState.choices)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_budget = models.PositiveIntegerField(null=True, blank=True)
    next_response_left = models.FloatField(null=True, blank=True)

    resolution_state = models.CharField(max_length=10, blank=True, choices=ClockState.choices)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolution_budget = models.PositiveIntegerField(null=True, blank=True)
    resolution_left = models.FloatField(null=True, blank=True)

    next_due_at = models.DateTimeField(null=True, blank=True)
    # The inbox's "next due" order: breached targets first (by how late), then running ones.
    sort_due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    breaches = models.JSONField(default=list, blank=True)

    # What the time rules wait from (None when the ticket is not in that state).
    unassigned_since = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    pending_since = models.DateTimeField(null=True, blank=True)

    TARGETS: ClassVar[tuple[str, ...]] = tuple(Target.values)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")
        indexes = [
            models.Index(
                fields=["next_due_at"],
                condition=models.Q(next_due_at__isnull=False),
                name="sla_next_due_idx",
            ),
            models.Index(
                fields=["warn_at"], condition=models.Q(warn_at__isnull=False), name="sla_warn_idx"
            ),
            models.Index(
                fields=["status"],
                condition=models.Q(status="breached"),
                name="sla_breached_idx",
            ),
            models.Index(
                fields=["unassigned_since"],
                condition=models.Q(unassigned_since__isnull=False),
                name="sla_unassigned_idx",
            ),
            models.Index(
                fields=["waiting_since"],
                condition=models.Q(waiting_since__isnull=False),
                name="sla_waiting_idx",
            ),
            models.Index(
                fields=["pending_since"],
                condition=models.Q(pending_since__isnull=False),
                name="sla_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"SLA of ticket {self.ticket_id}"


class TimeTrigger(models.TextChoices):
    UNASSIGNED = "unassigned", _("Unassigned for N minutes")
    CUSTOMER_WAITING = "customer_waiting", _("Customer waiting for N minutes")
    SLA_DUE = "sla_due", _("SLA target due in N minutes")
    SLA_BREACHED = "sla_breached", _("SLA target breached")
    PENDING_NO_REPLY = "pending_no_reply", _("Pending with no customer reply for N days")


class TimeRule(models.Model):
    """When a ticket has been in a state for a while, act on it: once per ticket state."""

    name = models.CharField(_("name"), max_length=200)
    enabled = models.BooleanField(_("enabled"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)
    trigger = models.CharField(_("when"), max_length=20, choices=TimeTrigger.choices)
    amount = models.PositiveIntegerField(
        _("N"),
        default=30,
        help_text=_("Minutes (days for 'pending with no customer reply'); unused on breach."),
    )
    business_hours = models.ForeignKey(
        "helpdesk.BusinessHours",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("count in business hours of"),
        help_text=_("Empty counts calendar time."),
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    # How far the scheduler has looked: the next round looks only at newer moments.
    checked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("time rule")
        verbose_name_plural = _("time rules")

    def __str__(self) -> str:
        return self.name


class TimeRuleRun(models.Model):
    """A time rule fired on a ticket for the state that began at `anchor` (or was
    checked and its conditions did not hold: `fired` is false)."""

    rule = models.ForeignKey(TimeRule, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="+")
    anchor = models.DateTimeField()
    fired = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "anchor"], name="sla_timerule_once_per_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.ticket_id} at {self.anchor}"
