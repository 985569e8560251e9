"""Who may write knowledge-base articles: admins, and agents given the editor right.

The editor right is the Django permission `knowledge_base.edit_articles`
(grant it to a user or a group in the admin); it lives here, not in agents.
"""

from __future__ import annotations

from django.contrib.auth.models import PermissionsMixin

from helpdesk.staff.access import AnyUser, agent_of, is_admin

EDIT_PERMISSION = "knowledge_base.edit_articles"


def can_edit_articles(user: AnyUser) -> bool:
    if not user.is_authenticated:
        return False
    if is_admin(user):
        return True
    if not isinstance(user, PermissionsMixin) or agent_of(user) is None:
        return False
    return user.has_perm(EDIT_PERMISSION)


def can_read_internal(user: AnyUser) -> bool:
    """Internal articles are for agents (any role) only."""
    return is_admin(user) or agent_of(user) is not None
