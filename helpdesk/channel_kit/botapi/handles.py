"""Finding a Bot API channel's customers by their public @username.

The identity's address is the numeric user id (it never changes); the username
can, so it is read from the chat row the handler refreshes on every update.
"""

from __future__ import annotations

import re

from helpdesk.channel_kit.botapi.profile import BotApiProfile

# Telegram's rule for usernames: 5-32 of a-z, 0-9 and "_", starting with a letter.
USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")
# A handle is one person's; more rows than this are chats with several inboxes' bots.
MAX_ADDRESSES = 20


def addresses(profile: BotApiProfile, handle: str) -> list[str]:
    """The identity addresses (user ids) of the chats whose username is `handle`
    (with or without its "@", any case)."""
    handle = handle.strip().removeprefix("@")
    if not USERNAME.match(handle):
        return []
    chats = profile.model("chat").objects.filter(username__iexact=handle)
    ids = chats.values_list("user_id", flat=True).distinct()[:MAX_ADDRESSES]
    return [str(user_id) for user_id in ids]
