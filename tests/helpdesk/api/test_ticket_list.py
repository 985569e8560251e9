from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpdesk.actions import tickets as actions
from helpdesk.models import Ticket
from tests import factories
from tests.helpdesk.api.conftest import API

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def _walk(client: Any, limit: int, **params: Any) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        query = {**params, "limit": limit} | ({"cursor": cursor} if cursor else {})
        body = client.get(f"{API}/tickets", **query).json()
        assert len(body["items"]) <= limit
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("pagination did not end")


def _expected_order(tickets: list[Ticket]) -> list[int]:
    fresh = [Ticket.objects.get(pk=t.pk) for t in tickets]
    nulls = sorted((t for t in fresh if t.last_message_at is None), key=lambda t: -t.pk)
    dated = sorted(
        (t for t in fresh if t.last_message_at is not None),
        key=lambda t: (t.last_message_at, t.pk),
        reverse=True,
    )
    return [t.pk for t in nulls + dated]


def test_it_walks_every_page_without_duplicates_or_omissions(
    api: Any, agent_a: Any, email_inbox_a: Any, email_inbox_b: Any, make_ticket: Callable[..., Any]
) -> None:
    same_moment = timezone.now() - timedelta(days=1)
    tickets = [make_ticket(email_inbox_a) for _ in range(7)]
    # Ties on last_message_at must be broken by id, and nulls must not be lost.
    tickets += [make_ticket(email_inbox_a, received_at=same_moment) for _ in range(4)]
    nulls = [make_ticket(email_inbox_a) for _ in range(3)]
    Ticket.objects.filter(pk__in=[t.pk for t in nulls]).update(last_message_at=None)
    make_ticket(email_inbox_b)  # another team's: never listed
    expected = _expected_order(tickets + nulls)
    client = api(agent_a)
    for limit in (1, 3, 5, 14, 25):
        assert _walk(client, limit) == expected


def test_it_uses_the_default_limit_and_refuses_a_limit_over_the_maximum(
    api: Any, agent_a: Any, email_inbox_a: Any, make_ticket: Callable[..., Any], settings: Any
) -> None:
    for _ in range(27):
        make_ticket(email_inbox_a)
    client = api(agent_a)
    body = client.get(f"{API}/tickets").json()
    assert len(body["items"]) == 25 and body["next_cursor"]
    settings.HELPDESK_API_PAGE_MAX = 10
    response = client.get(f"{API}/tickets", limit=11)
    assert response.status_code == 422
    assert response.json()["field"] == "limit"
    # The document says so too: the maximum is the setting's value when it is served.
    doc = client.get(f"{API}/openapi.json").json()
    (limit,) = [
        p for p in doc["paths"][f"{API}/tickets"]["get"]["parameters"] if p["name"] == "limit"
    ]
    assert limit["schema"]["anyOf"][0]["maximum"] == 10
    assert len(client.get(f"{API}/tickets", limit=10).json()["items"]) == 10


@pytest.mark.parametrize(
    "cursor", ["garbage", "e30", "WzFd", "WyJ4IiwxXQ", "W251bGwsLTFd", "!!!", "W251bGwsdHJ1ZV0"]
)
def test_it_refuses_a_forged_cursor(api: Any, agent_a: Any, cursor: str) -> None:
    response = api(agent_a).get(f"{API}/tickets", cursor=cursor)
    assert response.status_code == 422
    assert response.json()["field"] == "cursor"


def test_it_filters_by_status_assignee_team_inbox_channel_priority_and_tag(
    api: Any,
    admin_user: Any,
    agent_a: Any,
    supervisor_a: Any,
    email_inbox_a: Any,
    telegram_inbox_a: Any,
    email_inbox_b: Any,
    make_ticket: Callable[..., Any],
) -> None:
    new = make_ticket(email_inbox_a)
    mine = make_ticket(email_inbox_a)
    actions.do_claim(agent_a, mine.pk)  # -> open, assigned to alice
    theirs = make_ticket(email_inbox_a)
    actions.do_claim(supervisor_a, theirs.pk)
    actions.do_set_status(agent_a, theirs.pk, "pending")
    urgent = make_ticket(telegram_inbox_a, sender="12345")
    actions.do_set_priority(agent_a, urgent.pk, 4)
    actions.do_set_tags(agent_a, urgent.pk, ["VIP", "Billing"])
    actions.do_set_tags(agent_a, new.pk, ["billing", "صورتحساب"])
    other_team = make_ticket(email_inbox_b)
    client = api(agent_a)

    def ids(**params: Any) -> set[int]:
        return set(_ids(client.get(f"{API}/tickets", **params)))

    assert ids() == {new.pk, mine.pk, theirs.pk, urgent.pk}
    assert ids(status="new") == {new.pk, urgent.pk}
    assert ids(status=["open", "pending"]) == {mine.pk, theirs.pk}
    assert ids(assignee="me") == {mine.pk}
    assert ids(assignee="none") == {new.pk, urgent.pk}
    assert ids(assignee=str(supervisor_a.pk)) == {theirs.pk}
    assert ids(channel="telegram") == {urgent.pk}
    assert ids(inbox=str(email_inbox_a.pk)) == {new.pk, mine.pk, theirs.pk}
    assert ids(priority="4") == {urgent.pk}
    assert ids(tag="billing") == {new.pk, urgent.pk}
    assert ids(tag=["billing", "vip"]) == {urgent.pk}
    assert ids(tag="صورتحساب") == {new.pk}
    assert ids(team=str(other_team.team_id)) == set()  # not the caller's team
    assert set(_ids(api(admin_user).get(f"{API}/tickets", team=other_team.team_id))) == {
        other_team.pk
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"assignee": "someone"}, "assignee"),
        ({"assignee": "-4"}, "assignee"),
        ({"team": "abc"}, "team"),
        ({"team": "-1"}, "team"),
        ({"inbox": "9" * 40}, "inbox"),
        ({"channel": "fax"}, "channel"),
        ({"priority": "9"}, "priority"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1e9"}, "limit"),
        ({"q": "x" * 500}, "q"),
    ],
)
def test_it_names_the_bad_filter(
    api: Any, agent_a: Any, params: dict[str, str], field: str
) -> None:
    response = api(agent_a).get(f"{API}/tickets", **params)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body.get("field", "").startswith(field) or body["errors"][0]["field"].startswith(field)
    assert field in body["detail"] or body.get("field") == field


def test_it_searches_subject_text_contact_address_and_number(
    api: Any, agent_a: Any, email_inbox_a: Any, team_a: Any, make_ticket: Callable[..., Any]
) -> None:
    printer = make_ticket(email_inbox_a, subject="Printer jam", text="It ate my paper")
    persian = make_ticket(
        email_inbox_a, subject="سوال", text="سفارش من هنوز نرسیده است", name="زهرا کریمی"
    )
    by_mail = make_ticket(email_inbox_a, sender="Reza.Tehrani@Example.org", subject="Hi")
    phone_inbox = factories.make_inbox(team_a, "phone")
    by_phone = make_ticket(phone_inbox, sender="0912 345 6789", subject="Call")
    client = api(agent_a)

    def found(q: str) -> set[int]:
        return set(_ids(client.get(f"{API}/tickets", q=q)))

    assert found("printer") == {printer.pk}
    assert found("ATE MY") == {printer.pk}
    assert found("نرسیده") == {persian.pk}
    assert found("کریمی") == {persian.pk}
    assert found("reza.tehrani@example") == {by_mail.pk}
    assert found("+98912345") == {by_phone.pk}
    assert found("۰۹۱۲۳۴۵۶۷۸۹") == {by_phone.pk}
    assert found(f"#{by_mail.pk}") == {by_mail.pk}
    assert by_mail.pk in found(str(by_mail.pk))
    assert found("#999999999") == set()
    assert found("nothing like this") == set()


def test_it_lists_with_the_same_number_of_queries_for_any_page_size(
    api: Any,
    agent_a: Any,
    agent_a2: Any,
    email_inbox_a: Any,
    telegram_inbox_a: Any,
    make_ticket: Callable[..., Any],
    django_assert_num_queries: Any,
) -> None:
    for n in range(12):
        ticket = make_ticket(email_inbox_a if n % 2 else telegram_inbox_a, sender=f"{n}@x.org")
        actions.do_assign(agent_a, ticket.pk, agent_a.pk if n % 3 else None)
        actions.do_set_tags(agent_a, ticket.pk, [f"t{n}", "common"])
    client = api(agent_a)
    for params in ({}, {"q": "question", "tag": "common", "status": ["open", "new"]}):
        client.get(f"{API}/tickets", **params)  # token last_used_at is written once
        with CaptureQueriesContext(connection) as small:
            assert len(_ids(client.get(f"{API}/tickets", limit=2, **params))) == 2
        with django_assert_num_queries(len(small.captured_queries)):
            assert len(_ids(client.get(f"{API}/tickets", limit=12, **params))) == 12


def test_a_list_page_matches_its_published_schema(
    api: Any, agent_a: Any, email_inbox_a: Any, make_ticket: Callable[..., Any]
) -> None:
    # The list is rendered without ninja's response validation: pin its shape here.
    from helpdesk.api.schemas import TicketPage

    ticket = make_ticket(email_inbox_a, subject="سلام", text="متن")
    actions.do_set_tags(agent_a, ticket.pk, ["vip"])
    actions.do_assign(agent_a, ticket.pk, agent_a.pk)
    body = api(agent_a).get(f"{API}/tickets", limit=1).json()
    page = TicketPage.model_validate(body)
    assert [item.id for item in page.items] == [ticket.pk]
    item_fields = set(type(page.items[0]).model_fields)
    assert set(body["items"][0]) == item_fields  # nothing missing, nothing extra
    assert set(body) == set(TicketPage.model_fields)


def test_a_code_is_found_whole_whatever_shares_its_parts(
    api: Any, agent_a: Any, email_inbox_a: Any, make_ticket: Callable[..., Any]
) -> None:
    wanted = make_ticket(email_inbox_a, text="Order with SKU-4173 did not arrive")
    longer = make_ticket(email_inbox_a, text="Order with SKU-41730 is late")
    bare = make_ticket(email_inbox_a, text="Invoice 4173 and SKU-12 attached")
    persian = make_ticket(email_inbox_a, text="کد کالا-۴۱۷۳ و کالا-4173 رسید")
    client = api(agent_a)

    def found(q: str) -> set[int]:
        return set(_ids(client.get(f"{API}/tickets", q=q)))

    assert found("SKU-4173") == {wanted.pk, longer.pk}  # a substring search, as everywhere
    assert found("sku-4173 did") == {wanted.pk}
    assert found("4173") == {wanted.pk, longer.pk, bare.pk, persian.pk}
    assert found("کالا-4173") == {persian.pk}
