"""Flood limits of the widget: counters in the shared cache (Redis in production).

The widget is public: anyone can open sockets and post files to an inbox's chat.
Three limits keep that cheap (settings and defaults: docs/webchat.md):

* new conversations per client address and per inbox (`HELPDESK_WEBCHAT_NEW_*`):
  a conversation (and so a contact and a ticket) is counted when its row is
  created, i.e. when a new visitor first writes or fills the pre-chat form, so
  page views cost nothing;
* uploads per client address and per inbox (`HELPDESK_WEBCHAT_UPLOADS_*`);
* messages per conversation per minute (the inbox's own setting, `live.allow_message`).

The per-address limit is checked first, so one address that floods is refused
before it can use up the inbox's budget for everyone else. Fixed windows with
`add` + `incr`, the same approach as the portal's contact form (and as
django-ratelimit's core, which needs an HttpRequest the socket does not have);
every web process sees the same counts.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.utils.translation import gettext as _

from helpdesk.shared_cache import shared_cache

# The limits' clock (tests pin it so a window boundary cannot fall mid-test).
clock = time.time


class Limited(Exception):
    """A flood limit refused the request; `retry_after` seconds until the window ends."""

    def __init__(self, code: str, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


def hit(bucket: str, limit: int, window: int) -> int:
    """Count one hit in `bucket`: 0 if within `limit` per `window` seconds, else the wait.

    A limit of 0 or less is off (nothing is counted).
    """
    if limit <= 0:
        return 0
    now = int(clock())
    counter = f"webchat:limit:{bucket}:{window}:{now // window}"
    cache = shared_cache()
    cache.add(counter, 0, window + 30)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, window + 30)
        count = 1
    return 0 if count <= limit else window - now % window


def _check(kind: str, inbox_id: int, client_ip: str | None, per_ip: int, per_inbox: int) -> int:
    window = int(settings.HELPDESK_WEBCHAT_LIMIT_WINDOW_SECONDS)
    wait = hit(f"{kind}:ip:{client_ip or '-'}", per_ip, window)
    return wait or hit(f"{kind}:inbox:{inbox_id}", per_inbox, window)


def check_new_conversation(inbox_id: int, client_ip: str | None) -> None:
    """Count a new conversation of the inbox from `client_ip`; raise Limited past a limit."""
    wait = _check(
        "conversation",
        inbox_id,
        client_ip,
        int(settings.HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_IP),
        int(settings.HELPDESK_WEBCHAT_NEW_CONVERSATIONS_PER_INBOX),
    )
    if wait:
        raise Limited(
            "too_many_conversations",
            _("This chat is receiving too many new conversations. Please try again later."),
            wait,
        )


def check_upload(inbox_id: int, client_ip: str | None) -> None:
    """Count an upload to the inbox from `client_ip`; raise Limited past a limit."""
    wait = _check(
        "upload",
        inbox_id,
        client_ip,
        int(settings.HELPDESK_WEBCHAT_UPLOADS_PER_IP),
        int(settings.HELPDESK_WEBCHAT_UPLOADS_PER_INBOX),
    )
    if wait:
        raise Limited(
            "upload_limited",
            _("Too many files were sent. Please try again later."),
            wait,
        )
