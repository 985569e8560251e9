"""The rollups built from the facts: what each conversation adds, deltas and rebuild.

Three tables, each a sum per key kept by the difference between a conversation's
old and new facts: the half-hour rollup (HourlyRollup), the per-tag rollup
(TagRollup) and the duration histogram of first responses and resolutions per UTC
day (DurationHistogram, helpdesk/reports/histogram.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from django.db import connection, models, transaction

from helpdesk.reports import histogram
from helpdesk.reports.models import DurationHistogram, HourlyRollup, TagRollup, TicketFact

type Key = tuple[Any, ...]
type Sums = dict[str, float]
type Changes = dict[str, dict[Key, Sums]]  # table name -> key -> sums

SUM_FIELDS = (
    "created",
    "resolved",
    "created_resolved",
    "reopened",
    "messages_in",
    "messages_out",
    "first_response_count",
    "first_response_sum_s",
    "first_response_sum_bs",
    "reply_count",
    "reply_sum_s",
    "reply_sum_bs",
    "resolution_count",
    "resolution_sum_s",
    "resolution_sum_bs",
)
KEY_COLUMNS = ("hour", "inbox_id", "team_id", "agent_id", "channel")


def hour_of(moment: datetime) -> datetime:
    """The start of the moment's half hour (UTC): a day or hour of any zone whose offset
    is a whole or half hour (Tehran +03:30, India +05:30) is a whole number of buckets."""
    return moment.replace(minute=moment.minute // 30 * 30, second=0, microsecond=0)


def _hourly(fact: TicketFact, out: dict[Key, Sums]) -> None:
    dims = (fact.inbox_id_value, fact.team_id_value, fact.agent_id_value, fact.channel)
    created = out[(hour_of(fact.created_at), *dims)]
    created.update(
        created=1,
        created_resolved=int(fact.resolved_at is not None),
        reopened=fact.reopened,
        messages_in=fact.messages_in,
        messages_out=fact.messages_out,
        reply_count=fact.reply_count,
        reply_sum_s=fact.reply_sum_s,
        reply_sum_bs=fact.reply_sum_bs,
    )
    if fact.first_response_at is not None and fact.first_response_s is not None:
        row = out[(hour_of(fact.first_response_at), *dims)]
        row["first_response_count"] = row.get("first_response_count", 0) + 1
        row["first_response_sum_s"] = fact.first_response_s
        row["first_response_sum_bs"] = fact.first_response_bs or 0.0
    if fact.resolved_at is not None and fact.resolution_s is not None:
        row = out[(hour_of(fact.resolved_at), *dims)]
        row["resolved"] = 1
        row["resolution_count"] = 1
        row["resolution_sum_s"] = fact.resolution_s
        row["resolution_sum_bs"] = fact.resolution_bs or 0.0


def _tags(fact: TicketFact, out: dict[Key, Sums]) -> None:
    dims = (fact.inbox_id_value, fact.team_id_value, fact.agent_id_value, fact.channel)
    hour = hour_of(fact.created_at)
    for tag in sorted({str(t)[:100] for t in (fact.tags or [])}) or [""]:
        out[(hour, tag, *dims)] = {"created": 1, "resolved": int(fact.resolved_at is not None)}


SERIES = {
    "frt_s": ("first_response_at", "first_response_s"),
    "frt_bs": ("first_response_at", "first_response_bs"),
    "res_s": ("resolved_at", "resolution_s"),
    "res_bs": ("resolved_at", "resolution_bs"),
}


def _histogram(fact: TicketFact, out: dict[Key, Sums]) -> None:
    """Scope "a" (the desk) per UTC day; "t" (team) and "g" (a team's agent, first
    responses only) per UTC week (histogram.granule_of): a team's day holds too few
    values for its buckets to pay, a week does."""
    team, agent = fact.team_id_value, fact.agent_id_value
    for kind, at_field, fields in _KINDS:
        at = getattr(fact, at_field)
        if at is None:
            continue
        day, week = histogram.day_and_week(at)
        for suffix, field in fields:
            value = getattr(fact, field)
            if value is None:
                continue
            series, bucket = f"{kind}_{suffix}", histogram.bucket_of(value)
            out[("a", 0, 0, series, day, bucket)] = {"count": 1}
            out[("t", team, 0, series, week, bucket)] = {"count": 1}
            if kind == "frt":
                out[("g", team, agent, series, week, bucket)] = {"count": 1}


_KINDS = (
    ("frt", "first_response_at", (("s", "first_response_s"), ("bs", "first_response_bs"))),
    ("res", "resolved_at", (("s", "resolution_s"), ("bs", "resolution_bs"))),
)


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    keys: tuple[str, ...]  # columns
    sums: tuple[str, ...]
    add: Callable[[TicketFact, dict[Key, Sums]], None]


TABLES = {
    "hourly": Table(HourlyRollup, KEY_COLUMNS, SUM_FIELDS, _hourly),
    "tags": Table(
        TagRollup,
        ("hour", "tag", "inbox_id", "team_id", "agent_id", "channel"),
        ("created", "resolved"),
        _tags,
    ),
    "histogram": Table(
        DurationHistogram,
        ("scope", "team_id", "agent_id", "series", "day", "bucket"),
        ("count",),
        _histogram,
    ),
}


def contributions(fact: TicketFact | None, table: str = "hourly") -> dict[Key, Sums]:
    """What one conversation adds to a rollup table, per key (nothing when merged away)."""
    out: dict[Key, Sums] = defaultdict(dict)
    if fact is not None and not fact.merged:
        TABLES[table].add(fact, out)
    return out


def delta(old: TicketFact | None, new: TicketFact | None) -> Changes:
    """new - old for every table, without the keys whose sums do not change."""
    changes: Changes = {}
    for table in TABLES:
        result: dict[Key, Sums] = defaultdict(dict)
        for sign, part in ((-1, contributions(old, table)), (1, contributions(new, table))):
            for key, sums in part.items():
                for name, value in sums.items():
                    result[key][name] = result[key].get(name, 0) + sign * value
        changes[table] = {k: v for k, v in result.items() if any(abs(x) > 1e-9 for x in v.values())}
    return changes


def merge(total: Changes, part: Changes) -> None:
    """Add `part` into `total`."""
    for table, rows in part.items():
        target = total.setdefault(table, defaultdict(dict))
        for key, sums in rows.items():
            row = target.setdefault(key, {})
            for name, value in sums.items():
                row[name] = row.get(name, 0) + value


def apply(changes: Changes) -> None:
    """Add the sums to their rows (insert or add on conflict), in key order (no deadlock)."""
    for name, table in TABLES.items():
        rows = {
            k: v for k, v in changes.get(name, {}).items() if any(abs(x) > 1e-9 for x in v.values())
        }
        if rows:
            _upsert(table, rows)


def _upsert(table: Table, changes: dict[Key, Sums]) -> None:
    db_table = table.model._meta.db_table
    cols = ", ".join(table.keys + table.sums)
    marks = ", ".join(["%s"] * (len(table.keys) + len(table.sums)))
    sets = ", ".join(f"{f} = {db_table}.{f} + excluded.{f}" for f in table.sums)
    sql = (
        f"INSERT INTO {db_table} ({cols}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(table.keys)}) DO UPDATE SET {sets}"
    )  # names from this module's constants; values are parameters
    rows: list[Any] = [
        (*key, *(sums.get(f, 0) for f in table.sums))
        for key, sums in sorted(changes.items(), key=lambda kv: kv[0])
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


REBUILD_FIELDS = (
    "merged",
    "inbox_id_value",
    "team_id_value",
    "agent_id_value",
    "channel",
    "created_at",
    "first_response_at",
    "first_response_s",
    "first_response_bs",
    "reply_count",
    "reply_sum_s",
    "reply_sum_bs",
    "resolved_at",
    "resolution_s",
    "resolution_bs",
    "reopened",
    "messages_in",
    "messages_out",
    "tags",
)


def _all_facts() -> Iterator[TicketFact]:
    """Every stored fact, read as plain rows (a million model instances cost minutes)."""
    rows = TicketFact.objects.filter(merged=False).values_list(*REBUILD_FIELDS)
    for row in rows.iterator(chunk_size=10000):
        yield cast(TicketFact, SimpleNamespace(**dict(zip(REBUILD_FIELDS, row, strict=True))))


def rebuild(facts: Iterable[TicketFact] | None = None) -> int:
    """Empty the rollups and add every fact again; returns the half-hour rows written."""
    with transaction.atomic():
        for table in TABLES.values():
            table.model._default_manager.all().delete()
        total: Changes = {name: defaultdict(dict) for name in TABLES}
        for fact in facts if facts is not None else _all_facts():
            if fact.merged:
                continue
            for name, table in TABLES.items():
                part: dict[Key, Sums] = defaultdict(dict)
                table.add(fact, part)
                rows = total[name]
                for key, sums in part.items():
                    row = rows[key]
                    for field, value in sums.items():
                        row[field] = row.get(field, 0) + value
        apply(total)
        return len(total["hourly"])
