"""Segment counts from the facet tables (PostgreSQL triggers, migration 0022): after any
mix of writes (actions, bulk updates, imports, merges, deletions, raw JSON of every
shape) the side tables hold exactly the unmerged contacts' tags and attributes, and
`facets.count` equals the members' own count for every definition it answers."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from django.db import connection

from helpdesk.actions.contact_create import do_create_contact, do_delete_contact
from helpdesk.actions.contacts import (
    do_merge_contacts,
    do_set_contact_attributes,
    do_tag_contacts,
    do_update_contact,
)
from helpdesk.actions.imports import do_start_import, run_import
from helpdesk.crm import facets, segments
from helpdesk.crm.filters import ContactFilter
from helpdesk.models import AttributeDefinition, Company, Contact, Segment

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TAGS = ["vip", "lead", "churned", "Vip", "x" * 51]
PLANS = ["gold", "silver", "Gold", ""]
DATES = ["2026-01-15", "2026-03-01", "2026-03-02", "2025-12-31"]

# Definitions the side tables answer (the company one is filled in by the test).
DEFINITIONS: list[dict[str, Any]] = [
    {"tags": ["vip"]},
    {"tags": ["VIP ", "lead"]},
    {"tags": ["nobody-has-this"]},
    {"attributes": [{"key": "plan", "value": "gold"}]},
    {"attributes": [{"key": "seats", "value": 10}]},
    {"attributes": [{"key": "seats", "value": 10.0}]},
    {"attributes": [{"key": "active", "value": True}]},
    {"attributes": [{"key": "active", "value": False}]},
    {"attributes": [{"key": "note", "value": None}]},
    {"attributes": [{"key": "interests", "value": "a"}]},
    {"attributes": [{"key": "seats", "op": "gt", "value": 5}]},
    {"attributes": [{"key": "seats", "op": "lte", "value": 20}]},
    {"attributes": [{"key": "seats", "op": "gt", "value": "a"}]},
    {"attributes": [{"key": "plan", "op": "lt", "value": 3}]},
    {"attributes": [{"key": "renewal", "op": "gte", "value": "2026-03-01"}]},
    {"attributes": [{"key": "renewal", "op": "lt", "value": "2026-03-01"}]},
    {"attributes": [{"key": "active", "op": "gte", "value": False}]},
    {
        "tags": ["vip"],
        "attributes": [
            {"key": "plan", "value": "gold"},
            {"key": "seats", "op": "gte", "value": 10},
        ],
    },
    {
        "attributes": [
            {"key": "seats", "op": "gt", "value": 5},
            {"key": "seats", "op": "lte", "value": 20},
        ]
    },
    {"tags": ["lead"], "attributes": [{"key": "renewal", "op": "lte", "value": "2026-03-02"}]},
]


def _attrs(rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if rng.random() < 0.7:
        values["plan"] = rng.choice(PLANS)
    if rng.random() < 0.7:
        values["seats"] = rng.choice([1, 5, 10, 10.0, 10.5, 20, 30, "10", True, [10]])
    if rng.random() < 0.5:
        values["active"] = rng.choice([True, False, "true", 1])
    if rng.random() < 0.5:
        values["renewal"] = rng.choice(DATES)
    if rng.random() < 0.3:
        values["interests"] = rng.choice([["a", "b"], ["a"], "a", {"a": 1}])
    if rng.random() < 0.3:
        values["note"] = rng.choice([None, "", "n"])
    return values


def _tags(rng: random.Random) -> list[str]:
    return rng.sample(TAGS, rng.randint(0, 3))


def _raw(rng: random.Random, admin: Any) -> None:
    """A contact written straight through the ORM: duplicate or unnormalized tags, JSON
    null (the actions drop None); other shapes in the JSON test below (the actions
    expect a list and an object)."""
    tags = rng.choice([["vip", "vip"], ["VIP", "lead"], ["y" * 60], []])
    Contact.objects.create(name="raw", tags=tags, custom_attributes=_attrs(rng) | {"note": None})


def _step(rng: random.Random, admin: Any, company: Company, n: int) -> None:
    live = list(Contact.objects.filter(merged_into__isnull=True).values_list("pk", flat=True))
    pick = rng.choice(live) if live else None
    kind = rng.choice(
        ["create", "create", "tags", "attrs", "set", "bulk_tag", "update", "import", "merge"]
        + ["delete", "raw"]
    )
    if kind == "create" or pick is None:
        do_create_contact(
            admin,
            name=f"C{n}",
            tags=_tags(rng),
            custom_attributes={k: v for k, v in _attrs(rng).items() if v not in (None, "")},
            company_id=company.pk if rng.random() < 0.3 else None,
        )
    elif kind == "tags":
        do_update_contact(admin, pick, {"tags": _tags(rng)})
    elif kind == "attrs":
        do_update_contact(admin, pick, {"custom_attributes": _attrs(rng)})
    elif kind == "set":
        do_set_contact_attributes(admin, pick, {"seats": rng.choice([3, 10, 25, ""])})
    elif kind == "bulk_tag":
        do_tag_contacts(admin, rng.sample(live, min(4, len(live))), ["vip"], ["lead"])
    elif kind == "update":  # a set-based write, as a data fix or an admin script does
        ids = rng.sample(live, min(5, len(live)))
        Contact.objects.filter(pk__in=ids).update(
            custom_attributes={"plan": "gold", "seats": rng.choice([10, 50])}, tags=["lead"]
        )
    elif kind == "import":
        _import(rng, admin, n)
    elif kind == "merge" and len(live) > 1:
        source, target = rng.sample(live, 2)
        do_merge_contacts(admin, source, target)
    elif kind == "delete":
        do_delete_contact(admin, pick)
    elif kind == "raw":
        _raw(rng, admin)


def _import(rng: random.Random, admin: Any, n: int) -> None:
    """Half new contacts, half the existing ones found by their email."""
    known = list(
        Contact.objects.filter(identities__kind="email").values_list("identities__address", "pk")
    )
    lines = ["name,email,tags,plan,renewal"]
    for i in range(4):
        email = rng.choice(known)[0] if known and i % 2 else f"new{n}.{i}@example.com"
        tag, day = rng.choice(["vip", "lead", ""]), rng.choice(DATES)
        lines.append(f"I{n}.{i},{email},{tag},{rng.choice(PLANS)},{day}")
    mapping = {"name": "name", "email": "email", "tags": "tags"}
    mapping |= {"plan": "attr:plan", "renewal": "attr:renewal"}
    job = do_start_import(admin, "c.csv", "\n".join(lines).encode(), mapping)
    run_import(job.pk)


def _side_tables() -> tuple[set[tuple[int, str]], set[tuple[int, str, str]]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_id, tag FROM helpdesk_contact_tag")
        tags = {(int(i), str(t)) for i, t in cursor.fetchall()}
        cursor.execute(
            "SELECT contact_id, key, coalesce(value, large_value)::text FROM helpdesk_contact_attr"
        )
        attrs = {(int(i), str(k), _same(v)) for i, k, v in cursor.fetchall()}
    return tags, attrs


def _same(text: str) -> str:
    """A JSON value's text, equal for values PostgreSQL's jsonb calls equal (10 and 10.0:
    an update from one to the other leaves the side table's row as it is)."""

    def canon(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, list):
            return [canon(x) for x in v]
        if isinstance(v, dict):
            return {k: canon(x) for k, x in v.items()}
        return v

    return json.dumps(canon(json.loads(text)), sort_keys=True)


def _expected() -> tuple[set[tuple[int, str]], set[tuple[int, str, str]]]:
    """What the contacts hold, by the facets' rules (unmerged, string tags of at most 50
    characters, attribute keys of at most 50), values as PostgreSQL prints them."""
    tags, attrs = set(), set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, (custom_attributes -> k)::text, k FROM helpdesk_contact, "
            "jsonb_object_keys(CASE WHEN jsonb_typeof(custom_attributes) = 'object' "
            "THEN custom_attributes ELSE '{}' END) AS k WHERE merged_into_id IS NULL"
        )
        attrs = {(int(i), str(k), _same(v)) for i, v, k in cursor.fetchall() if len(k) <= 50}
    for pk, raw in Contact.objects.filter(merged_into__isnull=True).values_list("pk", "tags"):
        if isinstance(raw, list):
            tags |= {(pk, t) for t in raw if isinstance(t, str) and len(t) <= 50}
    return tags, attrs


def _check(company: Company) -> None:
    side, held = _side_tables(), _expected()
    assert side[0] ^ held[0] == set()  # the differences, when any, in the failure
    assert side[1] ^ held[1] == set()
    for definition in [*DEFINITIONS, {"company_id": company.pk, "tags": ["vip"]}]:
        flt = ContactFilter.model_validate(definition)
        assert facets.answers(flt), definition
        segment = Segment(name="s", definition=definition)
        expected = segments.members(segment).count()
        assert facets.count(flt) == expected, definition
        assert segments.count(segment) == expected, definition


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_keeps_the_side_tables_and_counts_exact_through_random_writes(
    admin_user: Any, seed: int
) -> None:
    rng = random.Random(seed)
    company = Company.objects.create(name="Acme")
    # Typed attributes the import can fill (the other keys stay free-form JSON).
    AttributeDefinition.objects.create(entity="contact", key="plan", label="Plan", type="text")
    AttributeDefinition.objects.create(
        entity="contact", key="renewal", label="Renewal", type="date"
    )
    for n in range(45):
        _step(rng, admin_user, company, n)
        if n % 9 == 8:
            _check(company)
    _check(company)


def test_it_counts_json_null_arrays_and_the_type_order_like_the_contacts_query(
    admin_user: Any,
) -> None:
    Contact.objects.create(name="null", custom_attributes={"note": None, "seats": None})
    Contact.objects.create(name="list", custom_attributes={"seats": [1, 2], "note": ["x"]})
    Contact.objects.create(name="text", custom_attributes={"seats": "12"})
    Contact.objects.create(name="num", custom_attributes={"seats": 12.0})
    Contact.objects.create(name="flag", custom_attributes={"seats": False})
    Contact.objects.create(name="array", custom_attributes=["seats"], tags="vip")
    Contact.objects.create(name="odd tags", tags=["vip", 7, None, ["vip"], {"vip": 1}])
    Contact.objects.create(name="object tags", tags={"vip": 1}, custom_attributes="seats")
    cases = {
        ("note", "eq", None): 1,  # JSON null, not a missing key
        ("seats", "eq", 12): 1,  # 12.0 == 12 as JSON numbers
        ("seats", "gt", 5): 3,  # 12.0, false and the list: booleans and arrays sort above
        ("seats", "lt", 5): 2,  # "12" and null sort below every number
        ("seats", "eq", "12"): 1,
    }
    for (key, op, value), expected in cases.items():
        definition = {"attributes": [{"key": key, "op": op, "value": value}]}
        flt = ContactFilter.model_validate(definition)
        assert segments.members(Segment(definition=definition)).count() == expected
        assert facets.count(flt) == expected, (key, op, value)
    vip = ContactFilter(tags=["vip"])
    assert segments.members(Segment(definition=vip.model_dump())).count() == 1
    assert facets.count(vip) == 1  # only the top-level string counts
    assert _side_tables() == _expected()


def test_it_leaves_a_key_with_a_value_too_large_for_the_index_to_the_contacts_query(
    admin_user: Any,
) -> None:
    Contact.objects.create(name="big", custom_attributes={"bio": "x" * 3000, "plan": "gold"})
    Contact.objects.create(name="small", custom_attributes={"bio": "short", "plan": "gold"})
    big = ContactFilter.model_validate({"attributes": [{"key": "bio", "op": "gt", "value": "a"}]})
    assert facets.count(big) is None  # the caller counts the members instead
    assert segments.count(Segment(definition=big.model_dump())) == 2
    gold = ContactFilter.model_validate({"attributes": [{"key": "plan", "value": "gold"}]})
    assert facets.count(gold) == 2


def test_it_leaves_other_conditions_and_an_empty_definition_to_the_contacts_query() -> None:
    for definition in (
        {},
        {"tags": ["  "]},
        {"company_id": 1},
        {"tags": ["vip"], "q": "ali"},
        {"tags": ["vip"], "include_ids": [1]},
        {"attributes": [{"key": "plan", "op": "ne", "value": "gold"}]},
        {"attributes": [{"key": "plan", "op": "set"}]},
        {"attributes": [{"key": "seats", "op": "gt", "value": None}]},
        {"tags": ["vip"], "has_open_tickets": True},
    ):
        assert not facets.answers(ContactFilter.model_validate(definition)), definition


@pytest.mark.django_db(transaction=True)  # TRUNCATE waits for no deferred FK check
def test_it_empties_the_side_tables_with_the_contacts_on_truncate(admin_user: Any) -> None:
    do_create_contact(admin_user, name="A", tags=["vip"], custom_attributes={"plan": "gold"})
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE helpdesk_contact CASCADE")
    assert _side_tables() == (set(), set())


def test_it_puts_the_planner_settings_back_inside_a_callers_transaction() -> None:
    Contact.objects.create(name="a", tags=["vip"], custom_attributes={"plan": "gold"})
    flt = ContactFilter.model_validate(
        {"tags": ["vip"], "attributes": [{"key": "plan", "value": "gold"}]}
    )
    show = "SELECT " + ", ".join(f"current_setting('{name}')" for name in facets.JOIN_SETTINGS)
    with connection.cursor() as cursor:  # the test's transaction stays open throughout
        cursor.execute(show)
        before = cursor.fetchone()
        assert facets.count(flt) == 1
        cursor.execute(show)
        assert cursor.fetchone() == before


def test_it_keeps_the_edges_of_jsonb_order_in_range_counts(admin_user: Any) -> None:
    """The corners a faster range path (typed columns, another index) must keep: an
    empty array sorts below null and every scalar, a non-empty array and an object
    above every scalar, numbers by value whatever their spelling."""
    values: list[Any] = [[], None, "", "50", 49.5, 50, 50.0, 51, True, [0], [1, 2], {}, {"a": 1}]
    for n, value in enumerate(values):
        Contact.objects.create(name=f"c{n}", custom_attributes={"seats": value, "plan": "gold"})
    Contact.objects.create(name="no seats", custom_attributes={"plan": "gold"})
    cases = {
        ("gte", 50): 8,  # 50, 50.0, 51, true, [0], [1, 2], {}, {"a": 1}
        ("gt", 50): 6,
        ("lt", 50): 5,  # [], null, "", "50", 49.5
        ("lte", 50): 7,
        ("lt", None): None,  # a comparison with None stays with the contacts' query
        ("gte", ""): 11,  # every string, number, boolean, array but [], object
        ("gt", True): 4,  # only the non-empty arrays and the objects
    }
    for (op, value), expected in cases.items():
        definition = {
            "attributes": [
                {"key": "plan", "value": "gold"},
                {"key": "seats", "op": op, "value": value},
            ]
        }
        flt = ContactFilter.model_validate(definition)
        if expected is None:
            assert not facets.answers(flt)
            continue
        assert segments.members(Segment(definition=definition)).count() == expected, (op, value)
        assert facets.count(flt) == expected, (op, value)


def _pages_not_all_visible() -> int:
    """Pages of the attribute table an index-only count would read again (the
    visibility map's count, as ANALYZE reads it into pg_class)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE helpdesk_contact_attr")
        cursor.execute(
            "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'helpdesk_contact_attr'"
        )
        pages, visible = cursor.fetchone()
    assert pages > 0
    return int(pages) - int(visible)


@pytest.mark.django_db(transaction=True)
def test_an_import_leaves_the_facet_tables_all_visible_for_index_only_counts(
    admin_user: Any,
) -> None:
    AttributeDefinition.objects.create(entity="contact", key="plan", label="Plan", type="text")
    rows = "\n".join(f"Person {n},p{n}@example.com,gold" for n in range(200))
    job = do_start_import(
        admin_user,
        "people.csv",
        f"name,email,plan\n{rows}\n".encode(),
        {"name": "name", "email": "email", "plan": "attr:plan"},
    )
    assert run_import(job.pk).created_count == 200
    assert _pages_not_all_visible() == 0
    # Without a VACUUM, rows just written are not all-visible: a count would read
    # their pages from the table.
    Contact.objects.filter(custom_attributes__plan="gold").update(custom_attributes={"plan": "b"})
    assert _pages_not_all_visible() > 0
    facets.tidy()
    assert _pages_not_all_visible() == 0


def test_it_vacuums_the_facet_tables_after_one_percent_of_changes() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class "
            "WHERE relname IN ('helpdesk_contact_tag', 'helpdesk_contact_attr')"
        )
        options = dict(cursor.fetchall())
    assert set(options) == {"helpdesk_contact_tag", "helpdesk_contact_attr"}
    for found in options.values():
        assert "autovacuum_vacuum_scale_factor=0.01" in found
        assert "autovacuum_vacuum_insert_scale_factor=0.01" in found
