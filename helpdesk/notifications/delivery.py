"""Pushing notifications to the agent's socket once their transaction committed.

The frame is an ephemeral one (no sequence number): notifications are stored in
their own table, and a socket that reconnects reloads the bell (unread count and
list) from it instead of resuming through the event log.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from helpdesk import events
from helpdesk.notifications.models import EmailState, Notification, NotificationKind

NOTIFICATION = "notification"
NOTIFICATIONS_READ = "notification.read"

# The kinds that ring (with the agent's sound switch on): what needs an answer now.
SOUND_KINDS = frozenset({NotificationKind.UNASSIGNED_CHAT, NotificationKind.MENTION})


def unread_count(user_id: int) -> int:
    """What the bell shows: unread notifications meant for the desk, about what the
    agent may still read."""
    from helpdesk.notifications.queries import readable

    return readable(user_id).filter(read_at__isnull=True).count()


def frame_for(note: Notification, unread: int, *, sound: bool) -> dict[str, Any]:
    """The socket frame of one new notification (also the JSON of the bell's list)."""
    return {
        "seq": None,
        "type": NOTIFICATION,
        "at": timezone.now().isoformat(),
        "data": {
            "id": note.pk,
            "kind": str(note.kind),
            "title": note.title,
            "body": note.body[:300],
            "url": note.url,
            "ticket_id": note.ticket_id,
            "created_at": note.created_at.isoformat(),
            "in_app": note.in_app,
            "desktop": note.desktop,
            "sound": sound and note.kind in SOUND_KINDS,
            "unread": unread,
        },
    }


def deliver(note: Notification) -> None:
    """After commit: the frame to the agent's sockets, the mail to the queue."""
    from helpdesk.notifications.preferences import settings_for

    if note.in_app or note.desktop:
        sound = settings_for(note.recipient_id).sound
        frame = frame_for(note, unread_count(note.recipient_id), sound=sound)
        events.publish([f"agent.{note.recipient_id}"], frame)
    if note.email_state == EmailState.PENDING:
        from helpdesk.notifications.mail import schedule

        schedule(note.recipient_id)


def publish_read(user_id: int) -> None:
    """After commit: the bell of every open tab of the agent shows the new count."""
    frame = {
        "seq": None,
        "type": NOTIFICATIONS_READ,
        "at": timezone.now().isoformat(),
        "data": {"unread": unread_count(user_id)},
    }
    events.publish([f"agent.{user_id}"], frame)
