"""The hourly rollup: what each conversation's facts add to it, deltas and rebuild."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from helpdesk.reports.models import HourlyRollup, TicketFact

type Key = tuple[datetime, int, int, int, str]
type Sums = dict[str, float]

SUM_FIELDS = (
    "created",
    "resolved",
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


def contributions(fact: TicketFact | None) -> dict[Key, Sums]:
    """What one conversation adds to the rollup, per key (nothing when merged away)."""
    out: dict[Key, Sums] = defaultdict(dict)
    if fact is None or fact.merged:
        return out
    dims = (fact.inbox_id_value, fact.team_id_value, fact.agent_id_value, fact.channel)
    created = out[(hour_of(fact.created_at), *dims)]
    created.update(
        created=1,
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
    return out


def delta(old: TicketFact | None, new: TicketFact | None) -> dict[Key, Sums]:
    """new - old, without the keys whose sums do not change."""
    result: dict[Key, Sums] = defaultdict(dict)
    for sign, part in ((-1, contributions(old)), (1, contributions(new))):
        for key, sums in part.items():
            for name, value in sums.items():
                result[key][name] = result[key].get(name, 0) + sign * value
    return {k: v for k, v in result.items() if any(abs(x) > 1e-9 for x in v.values())}


def apply(changes: dict[Key, Sums]) -> None:
    """Add the sums to their rows (insert or add on conflict), in key order (no deadlock)."""
    if not changes:
        return
    table = HourlyRollup._meta.db_table
    cols = ", ".join(KEY_COLUMNS + SUM_FIELDS)
    marks = ", ".join(["%s"] * (len(KEY_COLUMNS) + len(SUM_FIELDS)))
    sets = ", ".join(f"{f} = {table}.{f} + excluded.{f}" for f in SUM_FIELDS)
    sql = (
        f"INSERT INTO {table} ({cols}) VALUES ({marks}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {sets}"
    )  # names from this module's constants; values are parameters
    rows: list[Any] = [
        (*key, *(sums.get(f, 0) for f in SUM_FIELDS))
        for key, sums in sorted(changes.items(), key=lambda kv: kv[0])
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rebuild(facts: Iterable[TicketFact] | None = None) -> int:
    """Empty the rollup and add every fact again; returns the rows written."""
    with transaction.atomic():
        HourlyRollup.objects.all().delete()
        total: dict[Key, Sums] = defaultdict(dict)
        source = facts if facts is not None else TicketFact.objects.iterator(chunk_size=5000)
        for fact in source:
            for key, sums in contributions(fact).items():
                row = total[key]
                for name, value in sums.items():
                    row[name] = row.get(name, 0) + value
        apply(total)
        return len(total)
