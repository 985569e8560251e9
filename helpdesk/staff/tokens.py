"""API tokens: who may hold one, issuing and revoking (docs/security.md).

A token acts as its user, within its scope: `read` never writes, `tickets` does the
daily ticket work, `admin` also the managing operations (merges). A token only
works while its user is active and has an agent profile, it is not revoked and
not expired; the inbox's settings page, the admin and `create_api_token` all go
through these functions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from helpdesk.actions.errors import Forbidden, Invalid, NotFound
from helpdesk.models import ApiToken, Role, TokenScope
from helpdesk.staff.access import agent_of, is_admin

# What each scope allows, in order: a route that needs `tickets` accepts `admin`.
_RANK = {TokenScope.READ: 0, TokenScope.TICKETS: 1, TokenScope.ADMIN: 2}


def scope_allows(granted: str, needed: str) -> bool:
    """Whether a token of scope `granted` may call a route that needs `needed`."""
    return _RANK.get(TokenScope(granted), -1) >= _RANK[TokenScope(needed)]


def check_may_hold(user: Any, scope: str) -> None:
    """Refuse a token to a user it would not work for, or a scope above their role."""
    if not user.is_active:
        raise Invalid("this user is deactivated; a token would not work", field="user")
    agent = agent_of(user)
    if agent is None:
        raise Invalid("this user has no agent profile; a token would not work", field="user")
    if scope not in TokenScope.values:
        raise Invalid(f"unknown scope {scope!r}", field="scope")
    manages = agent.role in {Role.ADMIN, Role.SUPERVISOR} or is_admin(user)
    if scope == TokenScope.ADMIN and not manages:
        raise Invalid("the admin scope is for supervisors and admins", field="scope")


def do_issue_token(
    actor: Any,
    user: Any,
    *,
    name: str = "",
    scope: str = TokenScope.TICKETS,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for `user` (the actor themself, or anyone when the actor is an admin).

    Returns the row and the raw token, which is shown once and never stored.
    `actor=None` is the command line (the operator).
    """
    if actor is not None and actor.pk != user.pk and not is_admin(actor):
        raise Forbidden("only admins issue tokens for someone else")
    check_may_hold(user, scope)
    if expires_at is not None and expires_at <= timezone.now():
        raise Invalid("the expiry must be in the future", field="expires_at")
    return ApiToken.issue(user, name.strip()[:100], scope=scope, expires_at=expires_at)


def do_revoke_token(actor: Any, token_id: int) -> ApiToken:
    """Revoke a token of the actor's own (or any, for an admin); it stops working at once."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
        if token is None or (token.user_id != actor.pk and not is_admin(actor)):
            raise NotFound("no such token")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def tokens_of(user: Any) -> list[ApiToken]:
    """The user's tokens, newest first (prefix, scope and dates only are shown)."""
    return list(ApiToken.objects.filter(user=user).order_by("-created_at", "-id"))
