"""KPI counts per group, rolled up at query time from the per-aggregate and per-day facts.

Each source is one GROUP BY over an indexed fact table joined to the member dimension (for the
special committee); the API merges the sources by group key. Every column and key expression
below is a constant of this module: request values only ever travel as $n parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal
from uuid import UUID

import asyncpg

GroupBy = Literal["province", "city", "county", "sector", "special_committee", "member"]

_KEYS: dict[GroupBy | None, str] = {
    None: "'all'",
    "province": "left(f.region_code, 2) || '0000'",
    "city": "left(f.region_code, 4) || '00'",
    "county": "f.region_code",
    "sector": "f.sector_code",
    "special_committee": "coalesce(md.special_committee_code, '-')",
    "member": "f.member_id::text",
}

_VISITS = """
  sum(f.contacts)::int AS contacts, sum(f.face_to_face)::int AS contacts_face_to_face,
  sum(f.regular_work)::int AS contacts_regular_work, sum(f.online)::int AS contacts_online,
  sum(f.service)::int AS contacts_service, sum(f.innovative)::int AS contacts_innovative,
  sum(f.people_reached)::int AS people_reached,
  sum(f.heart_to_heart_talks)::int AS heart_to_heart_talks"""

_ACTIVE = """(f.linked_on IS NOT NULL AND f.linked_on <= coalesce($6, current_date)
  AND (f.unlinked_on IS NULL OR f.unlinked_on < f.linked_on
       OR f.unlinked_on > coalesce($6, current_date)))"""
_LIAISONS = f"""
  count(*) FILTER (WHERE {_ACTIVE})::int AS liaisons_active,
  count(*) FILTER (WHERE {_ACTIVE} AND EXISTS (
      SELECT 1 FROM liaison_contact c WHERE c.liaison_id = f.liaison_id
        AND ($5::date IS NULL OR c.day >= $5) AND ($6::date IS NULL OR c.day <= $6)
  ))::int AS liaisons_contacted"""  # noqa: S608

_OBLIGATIONS = """
  count(*)::int AS obligations_due,
  count(*) FILTER (WHERE f.fulfilled_on IS NOT NULL AND f.fulfilled_on_time)::int
    AS obligations_fulfilled_on_time,
  count(*) FILTER (WHERE f.fulfilled_on IS NOT NULL AND NOT f.fulfilled_on_time)::int
    AS obligations_fulfilled_late,
  count(*) FILTER (WHERE f.overdue AND f.fulfilled_on IS NULL)::int AS obligations_overdue,
  count(*) FILTER (WHERE f.escalation_level > 0)::int AS obligations_escalated"""

_HANDLED = "(f.replied_round IS NOT NULL OR f.closed OR f.rejected OR f.merged)"
_RESOLVED = "(f.assigned_round IS NOT NULL AND coalesce(f.closed_resolved, f.rated_resolved))"
_CONCERNS = f"""
  count(*)::int AS concerns_collected,
  count(*) FILTER (WHERE {_HANDLED})::int AS concerns_handled,
  count(*) FILTER (WHERE f.assigned_round IS NOT NULL)::int AS concerns_assigned,
  count(*) FILTER (WHERE f.replied_round IS NOT NULL)::int AS concerns_replied,
  count(*) FILTER (WHERE f.replied_round IS NOT NULL AND f.replied_on_time)::int
    AS concerns_replied_on_time,
  count(*) FILTER (WHERE f.rated_round IS NOT NULL)::int AS concerns_rated,
  count(*) FILTER (WHERE f.satisfaction >= 4)::int AS concerns_satisfied,
  count(*) FILTER (WHERE {_RESOLVED})::int AS concerns_resolved,
  count(*) FILTER (WHERE f.to_public_opinion)::int AS public_opinion_reports,
  count(*) FILTER (WHERE f.to_proposal)::int AS proposals,
  sum(f.first_replied_on - f.submitted_on)::int AS days_to_reply_total"""

# (table, aggregates, date column or None, extra condition)
_SOURCES: tuple[tuple[str, str, str | None, str], ...] = (
    ("member_day", _VISITS, "f.day", "true"),
    ("liaison", _LIAISONS, None, "true"),
    ("obligation", _OBLIGATIONS, "f.due_on", "NOT f.withdrawn"),
    ("concern", _CONCERNS, "f.submitted_on", "f.submitted_on IS NOT NULL"),
)


@dataclass(frozen=True)
class KpiFilter:
    region_prefix: str
    sector_code: str | None = None
    member_id: UUID | None = None
    special_committee_code: str | None = None
    from_day: date | None = None
    to_day: date | None = None


Counts = dict[str, int]


async def kpi_counts(
    conn: asyncpg.Connection, flt: KpiFilter, group_by: GroupBy | None
) -> dict[str, Counts]:
    """Every count per group key ('-': the member has no special committee)."""
    merged: dict[str, Counts] = {}
    for table, aggregates, day, condition in _SOURCES:
        for row in await _source(conn, flt, group_by, table, aggregates, day, condition):
            counts = merged.setdefault(row["key"], {})
            counts.update({k: int(v or 0) for k, v in row.items() if k != "key"})
    return merged


async def _source(
    conn: asyncpg.Connection,
    flt: KpiFilter,
    group_by: GroupBy | None,
    table: str,
    aggregates: str,
    day: str | None,
    condition: str,
) -> list[asyncpg.Record]:
    period = (
        f"AND ($5::date IS NULL OR {day} >= $5) AND ($6::date IS NULL OR {day} <= $6)"
        if day
        else "AND ($5::date IS NULL OR true) AND ($6::date IS NULL OR true)"
    )
    key = _KEYS[group_by]
    sql = f"""SELECT {key} AS key, {aggregates}
              FROM {table} f LEFT JOIN member_dim md ON md.member_id = f.member_id
              WHERE f.region_code LIKE $1 || '%'
                AND ($2::text IS NULL OR f.sector_code = $2)
                AND ($3::uuid IS NULL OR f.member_id = $3)
                AND ($4::text IS NULL OR md.special_committee_code = $4)
                {period} AND {condition}
              GROUP BY 1"""  # noqa: S608
    return list(
        await conn.fetch(
            sql,
            flt.region_prefix,
            flt.sector_code,
            flt.member_id,
            flt.special_committee_code,
            flt.from_day,
            flt.to_day,
        )
    )


async def member_names(conn: asyncpg.Connection, member_ids: list[UUID]) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT member_id::text AS id, full_name FROM member_dim WHERE member_id = ANY($1)",
        member_ids,
    )
    return {r["id"]: r["full_name"] for r in rows if r["full_name"]}
