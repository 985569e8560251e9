"""@mentions in internal notes: `@username`, as the composer's autocomplete writes them."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db.models import Q

from helpdesk.models import Agent

# A username as Django allows it (letters, digits, @.+-_), after an @ that does not
# follow a word character (so an e-mail address is no mention).
MAX_MENTIONS = 20  # a note naming more is no mention, it is a list
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def mentioned_usernames(text: str) -> list[str]:
    """The usernames written as @mentions in `text`, in order, once each (trailing dots
    are punctuation)."""
    found: dict[str, None] = {}
    for match in MENTION.finditer(text or ""):
        name = match.group(1).rstrip(".")
        if name:
            found.setdefault(name.lower(), None)
    return list(found)


def mentioned_user_ids(text: str) -> list[int]:
    """The active agents mentioned in `text` (unknown names are ignored)."""
    names = mentioned_usernames(text)
    if not names:
        return []
    user_model = get_user_model()
    field = user_model.USERNAME_FIELD
    match = Q()
    for name in names[:MAX_MENTIONS]:
        match |= Q(**{f"{field}__iexact": name})
    users = user_model.objects.filter(match, is_active=True).values_list("pk", flat=True)
    return list(Agent.objects.filter(user_id__in=list(users)).values_list("user_id", flat=True))
