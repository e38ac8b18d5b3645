"""One row per concern; round-bound facts keep the latest round, flags only move forward.

A batch (merged per concern by the handler) is one upsert; the rollups get each row's new
contribution minus its old one. A concern counts from its submission day, so facts that arrive
before the submission are kept on the row and counted when it comes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

import asyncpg

from services.reporting.repository.rollup import (
    both_forms,
    delta_select,
    facts_only,
    recounted,
    rollup_statement,
)


@dataclass
class ConcernChange:
    """What a batch says about one concern (None/False/0: it said nothing of that)."""

    concern_id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    submitted_on: date | None = None
    kind: str | None = None
    accepted: bool = False
    rejected: bool = False
    merged: bool = False
    assigned_round: int | None = None
    replied_round: int | None = None  # the latest reply's round, with its on_time
    first_replied_on: date | None = None
    replied_on_time: bool | None = None
    rated_round: int | None = None  # the latest rating's round, with its values
    satisfaction: int | None = None
    rated_resolved: bool | None = None
    reopened: int = 0
    closed: bool = False
    closed_resolved: bool | None = None
    to_public_opinion: bool = False
    to_proposal: bool = False


_FIELDS = tuple(ConcernChange.__dataclass_fields__)
_PG_TYPES = {"UUID": "uuid", "str": "text", "date": "date", "bool": "boolean", "int": "int"}
_TYPES = tuple(
    _PG_TYPES[str(f.type).split(" ")[0]] for f in ConcernChange.__dataclass_fields__.values()
)
_HANDLED = "(replied_round IS NOT NULL OR closed OR rejected OR merged)"
_RESOLVED = "(assigned_round IS NOT NULL AND coalesce(closed_resolved, rated_resolved, false))"
_COUNTS = {
    "concerns_collected": "sign",
    "concerns_handled": f"sign * {_HANDLED}::int",
    "concerns_assigned": "sign * (assigned_round IS NOT NULL)::int",
    "concerns_replied": "sign * (replied_round IS NOT NULL)::int",
    "concerns_replied_on_time": "sign * (replied_round IS NOT NULL AND replied_on_time)::int",
    "concerns_rated": "sign * (rated_round IS NOT NULL)::int",
    "concerns_satisfied": "sign * coalesce(satisfaction >= 4, false)::int",
    "concerns_resolved": f"sign * {_RESOLVED}::int",
    "public_opinion_reports": "sign * to_public_opinion::int",
    "proposals": "sign * to_proposal::int",
    "days_to_reply_total": "sign * coalesce(first_replied_on - submitted_on, 0)",
}
_LATER_REPLY = (
    "EXCLUDED.replied_round IS NOT NULL"
    " AND (c.replied_round IS NULL OR EXCLUDED.replied_round >= c.replied_round)"
)
_LATER_RATING = (
    "EXCLUDED.rated_round IS NOT NULL"
    " AND (c.rated_round IS NULL OR EXCLUDED.rated_round >= c.rated_round)"
)
_MERGE = f"""
  submitted_on = coalesce(EXCLUDED.submitted_on, c.submitted_on),
  kind = coalesce(EXCLUDED.kind, c.kind),
  accepted = c.accepted OR EXCLUDED.accepted,
  rejected = c.rejected OR EXCLUDED.rejected,
  merged = c.merged OR EXCLUDED.merged,
  assigned_round = greatest(c.assigned_round, EXCLUDED.assigned_round),
  first_replied_on = least(c.first_replied_on, EXCLUDED.first_replied_on),
  replied_on_time = CASE WHEN {_LATER_REPLY} THEN EXCLUDED.replied_on_time
                         ELSE c.replied_on_time END,
  replied_round = greatest(c.replied_round, EXCLUDED.replied_round),
  satisfaction = CASE WHEN {_LATER_RATING} THEN EXCLUDED.satisfaction ELSE c.satisfaction END,
  rated_resolved = CASE WHEN {_LATER_RATING} THEN EXCLUDED.rated_resolved
                        ELSE c.rated_resolved END,
  rated_round = greatest(c.rated_round, EXCLUDED.rated_round),
  reopened = c.reopened + EXCLUDED.reopened,
  closed = c.closed OR EXCLUDED.closed,
  closed_resolved = CASE WHEN EXCLUDED.closed THEN EXCLUDED.closed_resolved
                         ELSE c.closed_resolved END,
  to_public_opinion = c.to_public_opinion OR EXCLUDED.to_public_opinion,
  to_proposal = c.to_proposal OR EXCLUDED.to_proposal"""
_PARAMS = ", ".join(f"${i}::{t}[]" for i, t in enumerate(_TYPES, start=1))
_COLUMNS = ", ".join(_FIELDS)


def concerns_statement(changes: str, *, rollups: bool = True) -> str:
    """`changes`: a FROM item with one ConcernChange per row (the concern's columns)."""
    return (rollup_statement if rollups else facts_only)(
        f"""WITH input AS (SELECT * FROM {changes}),
        old AS (SELECT c.* FROM concern c JOIN input USING (concern_id)),
        upd AS (
          INSERT INTO concern AS c ({_COLUMNS})
          SELECT * FROM input ORDER BY concern_id
          ON CONFLICT (concern_id) DO UPDATE SET {_MERGE}
          RETURNING c.*
        ),
        contrib AS (
          SELECT -1 AS sign, x.* FROM old x UNION ALL SELECT 1 AS sign, y.* FROM upd y
        ),
        delta AS ({_DELTA})"""
    )


_DELTA = delta_select("contrib", _COUNTS, day="submitted_on", where="submitted_on IS NOT NULL")
_ROWS = f"unnest({_PARAMS}) AS u({_COLUMNS})"
_CONCERNS = both_forms(concerns_statement, _ROWS)
RECOUNT_CONCERNS = recounted("contrib AS (SELECT 1 AS sign, c.* FROM concern c)", _DELTA)


class ConcernRepository:
    def __init__(self, conn: asyncpg.Connection, *, defer_rollups: bool = False) -> None:
        self._conn = conn
        self._rollups = not defer_rollups

    async def apply(self, changes: list[ConcernChange]) -> None:
        await self._conn.execute(
            _CONCERNS[self._rollups], *([getattr(c, f) for c in changes] for f in _FIELDS)
        )
