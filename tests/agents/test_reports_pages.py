"""The reports pages: sections render with the figures, drill-down, exports, team scoping."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from helpdesk.actions.messages import do_reply
from helpdesk.ingest import receive
from tests import factories

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def tickets(
    email_inbox_a: Any,
    email_inbox_b: Any,
    agent_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    def run(action: Callable[..., Any], *args: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args)

    a = run(receive, factories.inbound(email_inbox_a, sender="x@example.com")).ticket
    b = run(receive, factories.inbound(email_inbox_b, sender="y@example.com")).ticket
    run(do_reply, agent_a, a.pk, "Hi")
    return {"a": a, "b": b}


def client_for(user: Any, language: str = "en") -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE=language)
    c.force_login(user)
    return c


@pytest.mark.parametrize(
    "section",
    [
        "overview",
        "conversations",
        "agents",
        "teams",
        "channels",
        "inboxes",
        "tags",
        "sla",
        "csat",
        "nps",
        "churn",
    ],
)
def test_it_renders_every_section(section: str, agent_a: Any, tickets: dict[str, Any]) -> None:
    response = client_for(agent_a).get("/reports/", {"section": section, "bh": "1"})
    assert response.status_code == 200
    assert b'id="report-filters"' in response.content


def test_it_lists_exactly_the_conversations_behind_a_figure(
    agent_a: Any, admin_user: Any, tickets: dict[str, Any]
) -> None:
    mine = client_for(agent_a).get("/reports/tickets/", {"metric": "conversations_created"})
    assert f'href="/t/{tickets["a"].pk}/"'.encode() in mine.content
    assert f'href="/t/{tickets["b"].pk}/"'.encode() not in mine.content
    every = client_for(admin_user).get("/reports/tickets/", {"metric": "conversations_created"})
    assert f'href="/t/{tickets["b"].pk}/"'.encode() in every.content
    answered = client_for(admin_user).get("/reports/tickets/", {"metric": "first_response_time"})
    assert f'href="/t/{tickets["b"].pk}/"'.encode() not in answered.content
    assert f'href="/t/{tickets["a"].pk}/"'.encode() in answered.content


def test_it_exports_one_row_per_conversation_as_csv_and_xlsx(
    admin_user: Any, agent_a: Any, team_b: Any, tickets: dict[str, Any]
) -> None:
    response = client_for(admin_user).get("/reports/export/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["ticket_id", "subject", "channel"] and len(rows) == 3
    assert {int(r[0]) for r in rows[1:]} == {tickets["a"].pk, tickets["b"].pk}
    xlsx = client_for(agent_a).get("/reports/export/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active  # type: ignore[attr-defined]
    assert sheet is not None
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [tickets["a"].pk]
    refused = client_for(agent_a).get("/reports/", {"team": team_b.pk})
    assert refused.status_code == 403


def test_it_reads_a_jalali_period_in_persian(agent_a: Any, tickets: dict[str, Any]) -> None:
    agent_a.agent.language = "fa"
    agent_a.agent.save(update_fields=["language"])
    response = client_for(agent_a, "fa").get(
        "/reports/", {"since": "۱۴۰۵/۰۸/۱۳", "until": "۱۴۰۵/۰۸/۱۹", "section": "overview"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="۱۴۰۵/۰۸/۱۳"' in html and 'value="۱۴۰۵/۰۸/۱۹"' in html
