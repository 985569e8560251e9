"""Telegram's models are the shared Bot API kit's (as Bale's are), on the tables and
columns Telegram always had: the move changed no schema."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from channels_in.bale.models import BaleSentPart
from channels_in.telegram.models import SentPart
from helpdesk.channel_kit.botapi.models import SentPartBase

pytestmark = [pytest.mark.django_db]


@pytest.mark.embedded
def test_it_keeps_the_models_and_migrations_in_step() -> None:
    out = StringIO()
    call_command(
        "makemigrations", "channel_telegram", "channel_bale", check=True, dry_run=True, stdout=out
    )
    assert "No changes detected" in out.getvalue()


def test_the_move_to_the_kit_runs_no_sql() -> None:
    # PostgreSQL only: SQLite's schema editor cannot run inside the test's transaction.
    out = StringIO()
    call_command("sqlmigrate", "channel_telegram", "0003", stdout=out)
    statements = [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and not line.startswith("--") and line not in ("BEGIN;", "COMMIT;")
    ]
    assert statements == []


@pytest.mark.embedded
def test_both_channels_share_the_kits_sent_part() -> None:
    assert issubclass(SentPart, SentPartBase) and issubclass(BaleSentPart, SentPartBase)
    column = SentPart._meta.get_field("provider_message_id").column
    assert column == "telegram_message_id"  # the column Telegram's rows are in
