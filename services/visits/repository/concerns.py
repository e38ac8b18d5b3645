"""Visits SQL, write side: concerns, their assignment rounds and their transition history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

import asyncpg

from services.visits.domain.concerns import Concern, Liaison, Status, Step

_FIELDS = (
    "id, member_id, region_code, sector_code, kind, source, title, body, visit_id, liaison_id, "
    "submitted_by, submitted_by_role, consent_to_share_identity, submitted_at, status, round, "
    "department_code, due_on, merged_into, upgraded_to, upgrade_reference"
)
COLUMNS = ", ".join(f"c.{name.strip()}" for name in _FIELDS.split(","))
_MUTABLE = (
    "status",
    "round",
    "department_code",
    "due_on",
    "merged_into",
    "upgraded_to",
    "upgrade_reference",
)


def concern_from_row(row: asyncpg.Record) -> Concern:
    values = {name.strip(): row[name.strip()] for name in _FIELDS.split(",")}
    return Concern(**{**values, "status": Status(row["status"])})


class ConcernRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, c: Concern, at: datetime) -> None:
        names = [name.strip() for name in _FIELDS.split(",")]
        values = [getattr(c, name) for name in names]
        placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 2))
        await self._conn.execute(
            f"INSERT INTO concern ({_FIELDS}, updated_at) VALUES ({placeholders})",
            *[v.value if isinstance(v, Status) else v for v in values],
            at,
        )

    async def lock(self, ids: Sequence[UUID]) -> dict[UUID, Concern]:
        """Row locks in id order (two merges of the same pair cannot deadlock)."""
        rows = await self._conn.fetch(
            f"SELECT {_FIELDS} FROM concern WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE",
            list(ids),
        )
        return {r["id"]: concern_from_row(r) for r in rows}

    async def departments(self, concern_id: UUID) -> set[str]:
        rows = await self._conn.fetch(
            "SELECT DISTINCT department_code FROM concern_round WHERE concern_id = $1", concern_id
        )
        return {r["department_code"] for r in rows}

    async def save(self, c: Concern, at: datetime) -> None:
        sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(_MUTABLE, start=3))
        await self._conn.execute(
            f"UPDATE concern SET updated_at = $2, {sets} WHERE id = $1",
            c.id,
            at,
            c.status.value,
            *[getattr(c, name) for name in _MUTABLE[1:]],
        )

    async def add_steps(
        self, concern_id: UUID, steps: Sequence[Step], *, actor: str, actor_role: str, at: datetime
    ) -> None:
        await self._conn.executemany(
            """INSERT INTO concern_transition (concern_id, round, action, from_status, to_status,
                   actor, actor_role, at, detail, note)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            [
                (
                    concern_id,
                    s.round,
                    s.action.value,
                    s.from_status.value if s.from_status else None,
                    s.to_status.value,
                    actor,
                    actor_role,
                    at,
                    dict(s.detail),
                    s.note,
                )
                for s in steps
            ],
        )

    async def open_round(self, c: Concern, at: datetime) -> None:
        await self._conn.execute(
            """INSERT INTO concern_round (concern_id, round, department_code, due_on, assigned_at)
               VALUES ($1, $2, $3, $4, $5)""",
            c.id,
            c.round,
            c.department_code,
            c.due_on,
            at,
        )

    async def round_replied(self, concern_id: UUID, round_: int) -> bool | None:
        """Whether that round has its reply; None if the concern never had that round."""
        replied: bool | None = await self._conn.fetchval(
            "SELECT replied_at IS NOT NULL FROM concern_round WHERE concern_id = $1 AND round = $2",
            concern_id,
            round_,
        )
        return replied

    async def record_reply(
        self, c: Concern, *, reply: str, replied_on: date, via: str, at: datetime
    ) -> None:
        await self._conn.execute(
            """UPDATE concern_round SET reply = $3, replied_on = $4, replied_via = $5,
                   replied_at = $6
               WHERE concern_id = $1 AND round = $2""",
            c.id,
            c.round,
            reply,
            replied_on,
            via,
            at,
        )

    async def record_rating(
        self, c: Concern, *, satisfaction: int, resolved: bool, at: datetime
    ) -> None:
        await self._conn.execute(
            """UPDATE concern_round SET satisfaction = $3, resolved = $4, rated_at = $5
               WHERE concern_id = $1 AND round = $2""",
            c.id,
            c.round,
            satisfaction,
            resolved,
            at,
        )

    async def liaison(self, liaison_id: UUID | None) -> Liaison | None:
        if liaison_id is None:
            return None
        row = await self._conn.fetchrow(
            """SELECT liaison_id, display_name, consent_to_departments FROM liaison_roster
               WHERE liaison_id = $1""",
            liaison_id,
        )
        return Liaison(**dict(row)) if row else None
