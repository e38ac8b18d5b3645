"""Member, liaison and workstation dimensions. Newer facts win by their own timestamps, whatever
the order; each method applies a batch (already merged per id by the handler) in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from services.reporting.repository.rollup import (
    both_forms,
    delta_select,
    facts_only,
    recounted,
    rollup_statement,
)
from services.reporting.repository.visits import COVERAGE_LOCK, DAYS_REACHED


@dataclass(frozen=True)
class Profile:
    member_id: UUID
    region_code: str
    at: datetime | None  # of the newest profile in the batch (None: status only)
    full_name: str | None
    sector_code: str | None
    committee_code: str | None
    special_committee_code: str | None
    status: str | None
    status_at: datetime | None


@dataclass(frozen=True)
class LiaisonChange:
    """One liaison's links and unlinks in a batch: the newest link and the latest unlink day."""

    liaison_id: UUID
    member_id: UUID
    region_code: str
    sector_code: str | None
    linked_on: date | None
    unlinked_on: date | None


@dataclass(frozen=True)
class WorkstationState:
    workstation_id: UUID
    region_code: str
    kind: str
    name: str
    at: datetime
    closed: bool
    member_ids: tuple[UUID, ...]


_NEWER = (
    "EXCLUDED.profile_at IS NOT NULL"
    " AND (m.profile_at IS NULL OR m.profile_at <= EXCLUDED.profile_at)"
)
_RELINK = (
    "EXCLUDED.linked_on IS NOT NULL AND (l.linked_on IS NULL OR EXCLUDED.linked_on >= l.linked_on)"
)
_PROFILE_ROWS = """unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[],
           $6::text[], $7::text[], $8::text[], $9::timestamptz[])
    AS u(member_id, region_code, profile_at, full_name, sector_code, committee_code,
         special_committee_code, status, status_at)"""
_PROFILES_SQL = """
WITH input AS (SELECT * FROM {rows})
INSERT INTO member_dim AS m (member_id, region_code, full_name, sector_code, committee_code,
                             special_committee_code, profile_at, status, status_at)
SELECT member_id, region_code, full_name, sector_code, committee_code, special_committee_code,
       profile_at, coalesce(status, 'active'), status_at
FROM input ORDER BY member_id
ON CONFLICT (member_id) DO UPDATE SET
  region_code = CASE WHEN {NEWER} THEN EXCLUDED.region_code ELSE m.region_code END,
  full_name = CASE WHEN {NEWER} THEN EXCLUDED.full_name ELSE m.full_name END,
  sector_code = CASE WHEN {NEWER} THEN EXCLUDED.sector_code ELSE m.sector_code END,
  committee_code = CASE WHEN {NEWER} THEN EXCLUDED.committee_code ELSE m.committee_code END,
  special_committee_code = CASE WHEN {NEWER} THEN EXCLUDED.special_committee_code
                                ELSE m.special_committee_code END,
  profile_at = greatest(m.profile_at, EXCLUDED.profile_at),
  status = CASE WHEN EXCLUDED.status_at IS NOT NULL
                     AND (m.status_at IS NULL OR m.status_at <= EXCLUDED.status_at)
                THEN EXCLUDED.status ELSE m.status END,
  status_at = greatest(m.status_at, EXCLUDED.status_at)""".replace("{NEWER}", _NEWER)


def profiles_statement(rows: str) -> str:
    """`rows`: a FROM item with one merged Profile per member (the order of _PROFILE_ROWS)."""
    return _PROFILES_SQL.replace("{rows}", rows)


_PROFILES = profiles_statement(_PROFILE_ROWS)

# A liaison's contribution: +1 active from its link day, -1 from its unlink day (if that
# comes after the link), and one liaisons_contacted per period it was reached in while active
# at the period's end. The change is its new contribution minus its old one.
_CONTRIBUTION = " UNION ALL ".join(
    (
        delta_select(
            "contrib", {"liaison_delta": "sign"}, day="linked_on", where="linked_on IS NOT NULL"
        ),
        delta_select(
            "contrib",
            {"liaison_delta": "-sign"},
            day="unlinked_on",
            where="linked_on IS NOT NULL AND unlinked_on >= linked_on",
        ),
        delta_select(
            "contrib c JOIN liaison_period_contact p USING (liaison_id)",
            {"liaisons_contacted": "c.sign"},
            member="c.member_id",
            region="c.region_code",
            sector="c.sector_code",
            day="p.period",
            only_grain="p.grain",
            where="liaison_active(c.linked_on, c.unlinked_on, kpi_period_end(p.grain, p.period))",
        ),
    )
)


# A liaison new to the table may have been reached already: its days so far (later ones are
# added by the contact writer, visits.liaison_contacts_statement).
_DAYS_SO_FAR = f"""(SELECT coalesce({DAYS_REACHED}, '{{}}')
                  FROM liaison_period_contact p
                  WHERE p.liaison_id = input.liaison_id AND p.grain = 'd')"""


def liaisons_statement(changes: str, *, rollups: bool = True) -> str:
    """`changes`: a FROM item with one LiaisonChange per row (the liaison table's columns).
    Without rollups, contact_days is left empty for the recount to fill."""
    return (rollup_statement if rollups else facts_only)(
        f"""WITH input AS (SELECT * FROM {changes}),
        old AS (SELECT l.* FROM liaison l JOIN input USING (liaison_id)),
        upd AS (
          INSERT INTO liaison AS l (liaison_id, member_id, region_code, sector_code, linked_on,
                                    unlinked_on, contact_days)
          SELECT *, {_DAYS_SO_FAR if rollups else "'{}'"} FROM input ORDER BY liaison_id
          ON CONFLICT (liaison_id) DO UPDATE SET
            member_id = CASE WHEN {_RELINK} THEN EXCLUDED.member_id ELSE l.member_id END,
            region_code = CASE WHEN {_RELINK} THEN EXCLUDED.region_code ELSE l.region_code END,
            sector_code = CASE WHEN {_RELINK} THEN EXCLUDED.sector_code ELSE l.sector_code END,
            linked_on = greatest(l.linked_on, EXCLUDED.linked_on),
            unlinked_on = greatest(l.unlinked_on, EXCLUDED.unlinked_on)
          RETURNING l.*
        ),
        contrib AS (
          SELECT -1 AS sign, o.* FROM old o UNION ALL SELECT 1 AS sign, u.* FROM upd u
        ),
        delta AS ({_CONTRIBUTION})"""
    )


_LIAISON_ROWS = """unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::date[], $6::date[])
         AS u(liaison_id, member_id, region_code, sector_code, linked_on, unlinked_on)"""
_LIAISONS = both_forms(liaisons_statement, _LIAISON_ROWS)
# Every liaison as new: its active count, and every period it was reached in (the contacts').
RECOUNT_LIAISONS = recounted("contrib AS (SELECT 1 AS sign, l.* FROM liaison l)", _CONTRIBUTION)

_WORKSTATIONS = """
INSERT INTO workstation AS w (workstation_id, region_code, kind, name, changed_at, closed)
SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
                     $6::boolean[])
ORDER BY 1
ON CONFLICT (workstation_id) DO UPDATE SET
  region_code = EXCLUDED.region_code,
  kind = CASE WHEN EXCLUDED.closed THEN w.kind ELSE EXCLUDED.kind END,
  name = CASE WHEN EXCLUDED.closed THEN w.name ELSE EXCLUDED.name END,
  changed_at = EXCLUDED.changed_at, closed = EXCLUDED.closed
WHERE w.changed_at <= EXCLUDED.changed_at
RETURNING workstation_id"""


class DirectoryRepository:
    def __init__(self, conn: asyncpg.Connection, *, defer_rollups: bool = False) -> None:
        self._conn = conn
        self._rollups = not defer_rollups

    async def save_profiles(self, profiles: list[Profile]) -> None:
        await self._conn.execute(
            _PROFILES,
            [p.member_id for p in profiles],
            [p.region_code for p in profiles],
            [p.at for p in profiles],
            [p.full_name for p in profiles],
            [p.sector_code for p in profiles],
            [p.committee_code for p in profiles],
            [p.special_committee_code for p in profiles],
            [p.status for p in profiles],
            [p.status_at for p in profiles],
        )

    async def change_liaisons(self, changes: list[LiaisonChange]) -> None:
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", COVERAGE_LOCK)
        await self._conn.execute(
            _LIAISONS[self._rollups],
            [c.liaison_id for c in changes],
            [c.member_id for c in changes],
            [c.region_code for c in changes],
            [c.sector_code for c in changes],
            [c.linked_on for c in changes],
            [c.unlinked_on for c in changes],
        )

    async def save_workstations(self, states: list[WorkstationState]) -> None:
        """The newest state of each workstation replaces its attached members."""
        rows = await self._conn.fetch(
            _WORKSTATIONS,
            [s.workstation_id for s in states],
            [s.region_code for s in states],
            [s.kind for s in states],
            [s.name for s in states],
            [s.at for s in states],
            [s.closed for s in states],
        )
        changed = {r["workstation_id"] for r in rows}
        if not changed:
            return
        await self._conn.execute(
            "DELETE FROM member_workstation WHERE workstation_id = ANY($1::uuid[])", list(changed)
        )
        pairs = sorted(
            (s.workstation_id, m)
            for s in states
            if s.workstation_id in changed and not s.closed
            for m in set(s.member_ids)
        )
        await self._conn.execute(
            """INSERT INTO member_workstation (workstation_id, member_id)
               SELECT * FROM unnest($1::uuid[], $2::uuid[]) ON CONFLICT DO NOTHING""",
            [p[0] for p in pairs],
            [p[1] for p in pairs],
        )
