"""Login lockout (django-axes) per account and per address, inbox and admin logins."""

from __future__ import annotations

from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

PASSWORD = "correct horse battery staple"


def _login(username: str, password: str, ip: str, path: str = "/login/") -> Any:
    return Client(REMOTE_ADDR=ip).post(path, {"username": username, "password": password})


@pytest.fixture
def limit(settings: Any) -> int:
    settings.AXES_FAILURE_LIMIT = 3
    return 3


@pytest.fixture
def alice(team_a: Any) -> Any:
    user = factories.make_user("alice", teams=[team_a])
    user.set_password(PASSWORD)
    user.save()
    return user


def test_it_locks_an_account_until_an_admin_clears_it(
    limit: int, alice: Any, admin_user: Any
) -> None:
    codes = [_login("alice", "wrong", f"192.0.2.{n + 1}").status_code for n in range(limit)]
    assert codes == [200] * (limit - 1) + [429]  # the form again, then the lock
    # From yet another address, with the right password: still refused.
    locked = _login("alice", PASSWORD, "192.0.2.50")
    assert locked.status_code == 429
    assert b"Login locked" in locked.content
    assert "_auth_user_id" not in locked.client.session
    # The lock is visible in the admin, and deleting it there clears it.
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    staff = Client()
    staff.force_login(admin_user)
    listing = staff.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert b"alice" in listing.content
    ids = list(AccessAttempt.objects.filter(username="alice").values_list("pk", flat=True))
    staff.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert not AccessAttempt.objects.filter(username="alice").exists()
    assert _login("alice", PASSWORD, "192.0.2.50").status_code == 302


def test_it_locks_an_address_trying_many_accounts(limit: int, alice: Any) -> None:
    ip = "198.51.100.20"
    for n in range(limit):
        _login(f"guess{n}", "wrong", ip)
    assert _login("alice", PASSWORD, ip).status_code == 429
    assert _login("alice", PASSWORD, "198.51.100.21").status_code == 302


def test_it_counts_the_admin_login_too(limit: int, admin_user: Any) -> None:
    admin_user.set_password(PASSWORD)
    admin_user.save()
    for n in range(limit):
        _login("admin", "wrong", f"203.0.113.{n + 1}", path="/admin/login/")
    refused = _login("admin", PASSWORD, "203.0.113.99", path="/admin/login/")
    assert refused.status_code == 429
