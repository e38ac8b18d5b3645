"""Visits SQL: concerns, their assignment rounds and their transition history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.visits.domain.concerns import Concern, Liaison, ReadScope, Status, Step
from shared.db.pool import DbConnection
from shared.regions import scope_prefix

_FIELDS = (
    "id, member_id, region_code, sector_code, kind, source, title, body, visit_id, liaison_id, "
    "submitted_by, submitted_by_role, consent_to_share_identity, submitted_at, status, round, "
    "department_code, due_on, merged_into, upgraded_to, upgrade_reference"
)
_COLUMNS = ", ".join(f"c.{name.strip()}" for name in _FIELDS.split(","))
_MUTABLE = (
    "status",
    "round",
    "department_code",
    "due_on",
    "merged_into",
    "upgraded_to",
    "upgrade_reference",
)


@dataclass(frozen=True)
class Round:
    round: int
    department_code: str
    due_on: date
    assigned_at: datetime
    reply: str | None
    replied_on: date | None
    replied_via: str | None
    satisfaction: int | None
    resolved: bool | None


@dataclass(frozen=True)
class ConcernRecord:
    """A concern as read back: with its rounds, the liaison's card and when it last moved."""

    concern: Concern
    rounds: list[Round]
    liaison: Liaison | None
    updated_at: datetime

    @property
    def departments(self) -> set[str]:
        return {r.department_code for r in self.rounds}


def _concern(row: asyncpg.Record) -> Concern:
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
        return {r["id"]: _concern(r) for r in rows}

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


# Read side (GET endpoints): a concern with its rounds and its liaison's card.

_READ = f"""SELECT {_COLUMNS}, c.updated_at, l.liaison_id AS card_id, l.display_name,
        l.consent_to_departments
    FROM concern c LEFT JOIN liaison_roster l ON l.liaison_id = c.liaison_id"""


async def read(conn: DbConnection, concern_id: UUID) -> ConcernRecord | None:
    rows = await conn.fetch(f"{_READ} WHERE c.id = $1", concern_id)
    found = await _records(conn, rows)
    return found[0] if found else None


async def page(
    conn: DbConnection,
    scope: ReadScope,
    *,
    statuses: list[str] | None,
    kind: str | None,
    visit_id: UUID | None,
    after: UUID | None,
    limit: int,
) -> list[ConcernRecord]:
    rows = await conn.fetch(
        f"""{_READ}
            WHERE c.region_code LIKE $1 || '%'
              AND ($2::uuid IS NULL OR c.member_id = $2)
              AND ($3::text IS NULL OR EXISTS (SELECT 1 FROM concern_round r
                    WHERE r.concern_id = c.id AND r.department_code = $3))
              AND ($4::text IS NULL OR (c.source = 'online'
                    AND c.submitted_by_role = 'constituent' AND c.submitted_by = $4))
              AND ($5::text[] IS NULL OR c.status = ANY($5))
              AND ($6::text IS NULL OR c.kind = $6)
              AND ($7::uuid IS NULL OR c.visit_id = $7)
              AND ($8::uuid IS NULL OR c.id > $8)
            ORDER BY c.id LIMIT $9""",
        scope_prefix(scope.region_code),
        scope.member_id,
        scope.department_code,
        scope.submitted_by,
        statuses,
        kind,
        visit_id,
        after,
        limit,
    )
    return await _records(conn, rows)


async def history(conn: DbConnection, concern_id: UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT round, action, from_status, to_status, actor, actor_role, at, detail, note
           FROM concern_transition WHERE concern_id = $1 ORDER BY id""",
        concern_id,
    )
    return [{**dict(r), "detail": _json(r["detail"])} for r in rows]


async def _records(conn: DbConnection, rows: list[asyncpg.Record]) -> list[ConcernRecord]:
    if not rows:
        return []
    round_rows = await conn.fetch(
        """SELECT concern_id, round, department_code, due_on, assigned_at, reply, replied_on,
                  replied_via, satisfaction, resolved
           FROM concern_round WHERE concern_id = ANY($1::uuid[]) ORDER BY concern_id, round""",
        [r["id"] for r in rows],
    )
    rounds: dict[UUID, list[Round]] = {}
    for r in round_rows:
        values = dict(r)
        rounds.setdefault(values.pop("concern_id"), []).append(Round(**values))
    return [
        ConcernRecord(
            concern=_concern(r),
            rounds=rounds.get(r["id"], []),
            liaison=Liaison(r["card_id"], r["display_name"], r["consent_to_departments"])
            if r["card_id"]
            else None,
            updated_at=r["updated_at"],
        )
        for r in rows
    ]


def _json(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return dict(loaded)
