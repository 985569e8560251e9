"""Staff: agents, their roles and presence, API tokens and assignment policies.

These tables were created by the `agents` app and keep their names (`agents_*`):
moving the models into the core changed no row (see migration 0008_staff).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Theme(models.TextChoices):
    """The agent's colour scheme; auto follows the system setting (config/static/desk/theme.js)."""

    AUTO = "auto", _("Automatic")
    LIGHT = "light", _("Light")
    DARK = "dark", _("Dark")


class Agent(models.Model):
    """The desk's view of a user: role, teams, language and display zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent"
    )
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    teams = models.ManyToManyField("helpdesk.Team", related_name="agents", blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Tehran")
    presence = models.CharField(max_length=10, choices=Presence.choices, default=Presence.OFFLINE)
    theme = models.CharField(_("theme"), max_length=8, choices=Theme.choices, default=Theme.AUTO)
    max_open_tickets = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "agents_agent"
        verbose_name = _("agent")
        verbose_name_plural = _("agents")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class TokenScope(models.TextChoices):
    """What an API token may do, within what its user's role allows (docs/security.md).

    read: GET only; every write is refused (403).
    tickets: the daily work: read, reply, note, assign, status, tags, contacts, calls.
    admin: also the managing operations (merging tickets and contacts); only issued
    to supervisors and admins.
    """

    READ = "read", _("Read only")
    TICKETS = "tickets", _("Tickets")
    ADMIN = "admin", _("Admin")


class ApiToken(models.Model):
    """A per-agent API token; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    scope = models.CharField(
        _("scope"), max_length=16, choices=TokenScope.choices, default=TokenScope.TICKETS
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        db_table = "agents_apitoken"
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def is_usable(self, now: datetime) -> bool:
        """Not revoked and not expired at `now` (the user's state is checked apart)."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @classmethod
    def issue(
        cls,
        user: models.Model,
        name: str = "",
        *,
        scope: str = TokenScope.TICKETS,
        expires_at: datetime | None = None,
    ) -> tuple[ApiToken, str]:
        """Create a token for `user` and return it with the raw secret (shown once).

        Callers check who may get one: helpdesk.staff.tokens.do_issue_token.
        """
        raw = "hd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            token_hash=hash_token(raw),
            prefix=raw[:8],
            scope=scope,
            expires_at=expires_at,
        )
        return token, raw


class AssignmentMode(models.TextChoices):
    OFF = "off", _("Off")
    ROUND_ROBIN = "round_robin", _("Round robin among online agents")
    LEAST_OPEN = "least_open", _("Fewest open tickets among online agents")


class AssignmentPolicy(models.Model):
    """How new tickets of one team are assigned automatically."""

    team = models.OneToOneField(
        "helpdesk.Team", on_delete=models.CASCADE, related_name="assignment_policy"
    )
    mode = models.CharField(
        _("mode"), max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.OFF
    )
    max_open_per_agent = models.PositiveIntegerField(
        _("open tickets per agent"),
        null=True,
        blank=True,
        help_text=_("Agents at this many open tickets get no more (empty: no cap)."),
    )
    # Round-robin cursor: the user who got the last ticket.
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "agents_assignmentpolicy"
        verbose_name = _("assignment policy")
        verbose_name_plural = _("assignment policies")

    def __str__(self) -> str:
        return f"{self.team}: {self.get_mode_display()}"
