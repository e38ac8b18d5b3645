"""One row per must-visit obligation (八必访); every fact only moves it forward.

A batch (merged per obligation by the handler) is one upsert; the rollups get each row's new
contribution minus its old one, read in the same statement (so an obligation's move from
"due" to "fulfilled late" is -1 here and +1 there, never counted twice).
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


@dataclass(frozen=True)
class ObligationChange:
    obligation_id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    occasion_kind: str
    due_on: date
    opened: bool
    fulfilled_on: date | None  # the earliest fulfilment in the batch, with its on_time
    fulfilled_on_time: bool | None
    overdue: bool
    escalation_level: int
    withdrawn: bool


_FULFILLED = "fulfilled_on IS NOT NULL"
_COUNTS = {
    "obligations_due": "sign",
    "obligations_fulfilled_on_time": f"sign * ({_FULFILLED} AND fulfilled_on_time)::int",
    "obligations_fulfilled_late": f"sign * ({_FULFILLED} AND NOT fulfilled_on_time)::int",
    "obligations_overdue": "sign * (overdue AND fulfilled_on IS NULL)::int",
    # Escalated and still open; an escalated obligation fulfilled later moves to the next.
    "obligations_escalated": f"sign * (escalation_level > 0 AND NOT {_FULFILLED})::int",
    "obligations_escalated_fulfilled": f"sign * (escalation_level > 0 AND {_FULFILLED})::int",
}
_EARLIER = (
    "EXCLUDED.fulfilled_on IS NOT NULL"
    " AND (o.fulfilled_on IS NULL OR EXCLUDED.fulfilled_on <= o.fulfilled_on)"
)
_UNNEST = """unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::date[],
           $7::boolean[], $8::date[], $9::boolean[], $10::boolean[], $11::int[], $12::boolean[])
    AS u(obligation_id, member_id, region_code, sector_code, occasion_kind, due_on, opened,
         fulfilled_on, fulfilled_on_time, overdue, escalation_level, withdrawn)"""


_DELTA = delta_select("contrib", _COUNTS, day="due_on", where="NOT withdrawn")


def obligations_statement(changes: str, *, rollups: bool = True) -> str:
    """`changes`: a FROM item with one ObligationChange per row (the obligation's columns)."""
    return (rollup_statement if rollups else facts_only)(
        f"""WITH input AS (SELECT * FROM {changes}),
        old AS (SELECT o.* FROM obligation o JOIN input USING (obligation_id)),
        upd AS (
          INSERT INTO obligation AS o (obligation_id, member_id, region_code, sector_code,
              occasion_kind, due_on, opened, fulfilled_on, fulfilled_on_time, overdue,
              escalation_level, withdrawn)
          SELECT * FROM input ORDER BY obligation_id
          ON CONFLICT (obligation_id) DO UPDATE SET
            opened = o.opened OR EXCLUDED.opened,
            fulfilled_on = least(o.fulfilled_on, EXCLUDED.fulfilled_on),
            fulfilled_on_time = CASE WHEN {_EARLIER} THEN EXCLUDED.fulfilled_on_time
                                     ELSE o.fulfilled_on_time END,
            overdue = o.overdue OR EXCLUDED.overdue,
            escalation_level = greatest(o.escalation_level, EXCLUDED.escalation_level),
            withdrawn = o.withdrawn OR EXCLUDED.withdrawn
          RETURNING o.*
        ),
        contrib AS (
          SELECT -1 AS sign, x.* FROM old x UNION ALL SELECT 1 AS sign, y.* FROM upd y
        ),
        delta AS ({_DELTA})"""
    )


_OBLIGATIONS = both_forms(obligations_statement, _UNNEST)
RECOUNT_OBLIGATIONS = recounted("contrib AS (SELECT 1 AS sign, o.* FROM obligation o)", _DELTA)


class ObligationRepository:
    def __init__(self, conn: asyncpg.Connection, *, defer_rollups: bool = False) -> None:
        self._conn = conn
        self._rollups = not defer_rollups

    async def apply(self, changes: list[ObligationChange]) -> None:
        await self._conn.execute(
            _OBLIGATIONS[self._rollups],
            [c.obligation_id for c in changes],
            [c.member_id for c in changes],
            [c.region_code for c in changes],
            [c.sector_code for c in changes],
            [c.occasion_kind for c in changes],
            [c.due_on for c in changes],
            [c.opened for c in changes],
            [c.fulfilled_on for c in changes],
            [c.fulfilled_on_time for c in changes],
            [c.overdue for c in changes],
            [c.escalation_level for c in changes],
            [c.withdrawn for c in changes],
        )
