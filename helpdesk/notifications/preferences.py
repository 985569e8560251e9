"""Each agent's choices per kind (in the desk, desktop pop-up, mail), with defaults."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from helpdesk.notifications.models import (
    NotificationKind,
    NotificationPreference,
    NotificationSettings,
)


@dataclass(frozen=True, slots=True)
class Choice:
    """How one kind reaches one agent."""

    in_app: bool
    desktop: bool
    email: bool

    @property
    def anything(self) -> bool:
        return self.in_app or self.desktop or self.email


K = NotificationKind

# What an agent gets before they change anything: everything in the bell; desktop
# pop-ups (and the sound) for what needs an answer now; mail for what should not
# wait for the agent to look at the desk.
DEFAULTS: dict[str, Choice] = {
    K.ASSIGNED: Choice(in_app=True, desktop=False, email=False),
    K.NEW_MESSAGE: Choice(in_app=True, desktop=False, email=False),
    K.UNASSIGNED_CHAT: Choice(in_app=True, desktop=True, email=False),
    K.MENTION: Choice(in_app=True, desktop=True, email=True),
    K.SLA_DUE_SOON: Choice(in_app=True, desktop=False, email=False),
    K.SLA_BREACHED: Choice(in_app=True, desktop=False, email=True),
    K.MISSED_CALL: Choice(in_app=True, desktop=True, email=False),
    K.TASK_DUE: Choice(in_app=True, desktop=False, email=True),
    K.REFERRAL: Choice(in_app=True, desktop=False, email=False),
    K.WEBHOOK_DISABLED: Choice(in_app=True, desktop=False, email=True),
    K.TIME_RULE: Choice(in_app=True, desktop=False, email=False),
}


def choices_for(user_ids: Iterable[int], kind: str) -> dict[int, Choice]:
    """user id -> how `kind` reaches them (one query for the stored rows, one for settings)."""
    ids = list(user_ids)
    default = DEFAULTS.get(kind, Choice(in_app=True, desktop=False, email=False))
    found = {uid: default for uid in ids}
    rows = NotificationPreference.objects.filter(user_id__in=ids, kind=kind)
    for row in rows:
        found[row.user_id] = Choice(in_app=row.in_app, desktop=row.desktop, email=row.email)
    # The global desktop switch (the pop-ups and the sound) overrides the kind's choice.
    off = set(
        NotificationSettings.objects.filter(user_id__in=ids, desktop=False).values_list(
            "user_id", flat=True
        )
    )
    for uid in off:
        c = found[uid]
        found[uid] = Choice(in_app=c.in_app, desktop=False, email=c.email)
    return found


def table_for(user_id: int) -> dict[str, Choice]:
    """kind -> choice of one agent, for the preferences page."""
    found = dict(DEFAULTS)
    for row in NotificationPreference.objects.filter(user_id=user_id):
        found[row.kind] = Choice(in_app=row.in_app, desktop=row.desktop, email=row.email)
    return found


def settings_for(user_id: int) -> NotificationSettings:
    """The agent's settings row (unsaved defaults when they never changed them)."""
    row = NotificationSettings.objects.filter(user_id=user_id).first()
    return row if row is not None else NotificationSettings(user_id=user_id)


def do_set_preferences(
    user_id: int,
    table: dict[str, Choice],
    *,
    sound: bool,
    desktop: bool,
    working_hours_id: int | None,
) -> None:
    """Store the agent's choices: one row per kind that differs from its default."""
    from django.db import transaction

    with transaction.atomic():
        NotificationPreference.objects.filter(user_id=user_id).delete()
        NotificationPreference.objects.bulk_create(
            NotificationPreference(
                user_id=user_id, kind=kind, in_app=c.in_app, desktop=c.desktop, email=c.email
            )
            for kind, c in table.items()
            if kind in DEFAULTS and c != DEFAULTS[kind]
        )
        NotificationSettings.objects.update_or_create(
            user_id=user_id,
            defaults={"sound": sound, "desktop": desktop, "working_hours_id": working_hours_id},
        )
