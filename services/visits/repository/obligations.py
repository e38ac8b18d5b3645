"""Visits SQL: must-visit obligations. Opening is set-based (a policy reaches a whole sector)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

import asyncpg

from services.visits.domain.obligations import OWED, SweepRun
from services.visits.domain.visits import OwedObligation


@dataclass(frozen=True)
class ObligationRow:
    id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    special_committee_code: str | None
    occasion_kind: str
    source_id: UUID
    title: str
    liaison_id: UUID | None
    due_on: date
    status: str
    escalation_level: int
    escalated_to: str | None
    fulfilled_by: UUID | None
    fulfilled_on: date | None
    opened_at: datetime


_RETURNING = """RETURNING id, member_id, region_code, sector_code, special_committee_code,
    occasion_kind, source_id, title, liaison_id, due_on, status, escalation_level,
    escalated_to, fulfilled_by, fulfilled_on, opened_at"""
_COLUMNS = _RETURNING.removeprefix("RETURNING ")


def _rows(records: list[asyncpg.Record]) -> list[ObligationRow]:
    return [ObligationRow(**dict(r)) for r in records]


class ObligationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def open_for_sectors(
        self,
        *,
        kind: str,
        source_id: UUID,
        title: str,
        counts_from: date,
        due_on: date,
        sector_codes: list[str],
        region_patterns: list[str],
        opened_at: datetime,
    ) -> list[ObligationRow]:
        """One per active member of those sectors in those regions; none twice (redelivery)."""
        return _rows(
            await self._conn.fetch(
                f"""INSERT INTO obligation (member_id, region_code, sector_code,
                        special_committee_code, occasion_kind, source_id, title, opened_at,
                        due_on, counts_from)
                    SELECT m.member_id, m.region_code, m.sector_code, m.special_committee_code,
                           $1, $2, $3, $4, $5, $8
                    FROM member_roster m
                    WHERE m.status = 'active' AND m.sector_code = ANY($6::text[])
                      AND m.region_code LIKE ANY($7::text[])
                    ON CONFLICT ON CONSTRAINT obligation_once_per_member_and_source DO NOTHING
                    {_RETURNING}""",
                kind,
                source_id,
                title,
                opened_at,
                due_on,
                sector_codes,
                region_patterns,
                counts_from,
            )
        )

    async def open_for_member(
        self,
        *,
        member_id: UUID,
        kind: str,
        source_id: UUID,
        title: str,
        counts_from: date,
        due_on: date,
        liaison_id: UUID | None,
        opened_at: datetime,
    ) -> list[ObligationRow]:
        return _rows(
            await self._conn.fetch(
                f"""INSERT INTO obligation (member_id, region_code, sector_code,
                        special_committee_code, occasion_kind, source_id, title, liaison_id,
                        opened_at, due_on, counts_from)
                    SELECT m.member_id, m.region_code, m.sector_code, m.special_committee_code,
                           $2, $3, $4, $5, $6, $7, $8
                    FROM member_roster m WHERE m.member_id = $1 AND m.status = 'active'
                    ON CONFLICT ON CONSTRAINT obligation_once_per_member_and_source DO NOTHING
                    {_RETURNING}""",
                member_id,
                kind,
                source_id,
                title,
                liaison_id,
                opened_at,
                due_on,
                counts_from,
            )
        )

    async def owed_by(self, member_id: UUID) -> list[OwedObligation]:
        rows = await self._conn.fetch(
            """SELECT id, occasion_kind, liaison_id, counts_from, due_on FROM obligation
               WHERE member_id = $1 AND status = ANY($2::text[])
               ORDER BY due_on, id FOR UPDATE""",
            member_id,
            list(OWED),
        )
        return [
            OwedObligation(
                r["id"], r["occasion_kind"], r["liaison_id"], r["counts_from"], r["due_on"]
            )
            for r in rows
        ]

    async def fulfil(
        self, ids: list[UUID], *, visit_id: UUID, fulfilled_on: date, at: datetime
    ) -> list[ObligationRow]:
        return _rows(
            await self._conn.fetch(
                f"""UPDATE obligation SET status = 'fulfilled', fulfilled_by = $2,
                        fulfilled_on = $3, closed_at = $4
                    WHERE id = ANY($1::uuid[]) AND status = ANY($5::text[])
                    {_RETURNING}""",
                ids,
                visit_id,
                fulfilled_on,
                at,
                list(OWED),
            )
        )

    async def mark_overdue(self, *, today: date, limit: int) -> list[ObligationRow]:
        """Open and past due → overdue. SKIP LOCKED: replicas sweeping at once share the work."""
        return _rows(
            await self._conn.fetch(
                f"""UPDATE obligation SET status = 'overdue'
                    WHERE id IN (SELECT id FROM obligation
                                 WHERE status = 'open' AND due_on < $1
                                 ORDER BY due_on LIMIT $2 FOR UPDATE SKIP LOCKED)
                    {_RETURNING}""",
                today,
                limit,
            )
        )

    async def due_for_escalation(
        self, *, today: date, after_days: int, limit: int
    ) -> list[ObligationRow]:
        """Overdue long enough for the next rung of the ladder; locked for this transaction."""
        return _rows(
            await self._conn.fetch(
                f"""SELECT {_COLUMNS} FROM obligation
                    WHERE status IN ('overdue', 'escalated') AND escalation_level < 2
                      AND due_on + $2::int * (escalation_level + 1) < $1
                    ORDER BY due_on LIMIT $3 FOR UPDATE SKIP LOCKED""",
                today,
                after_days,
                limit,
            )
        )

    async def escalate(self, obligation_id: UUID, *, level: int, to: str) -> None:
        await self._conn.execute(
            """UPDATE obligation SET status = 'escalated', escalation_level = $2,
                   escalated_to = $3 WHERE id = $1""",
            obligation_id,
            level,
            to,
        )

    async def record_sweep(self, run: SweepRun) -> None:
        """Keep the last pass per trigger (replicas racing keep the one that finished last)."""
        await self._conn.execute(
            """INSERT INTO obligation_sweep_run AS r
                   (trigger, requested_by, started_at, finished_at, overdue, escalated)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (trigger) DO UPDATE SET requested_by = EXCLUDED.requested_by,
                   started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                   overdue = EXCLUDED.overdue, escalated = EXCLUDED.escalated
               WHERE r.finished_at <= EXCLUDED.finished_at""",
            run.trigger,
            run.requested_by,
            run.started_at,
            run.finished_at,
            run.overdue,
            run.escalated,
        )

    async def withdraw_for(self, member_id: UUID, *, at: datetime) -> list[ObligationRow]:
        return _rows(
            await self._conn.fetch(
                f"""UPDATE obligation SET status = 'withdrawn', closed_at = $2
                    WHERE member_id = $1 AND status = ANY($3::text[])
                    {_RETURNING}""",
                member_id,
                at,
                list(OWED),
            )
        )
