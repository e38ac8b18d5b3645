"""Concerns as the GET endpoints read them: with their rounds and liaison's card, in the view
each caller is entitled to (departments see no identity without consent)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from services.visits.domain import concerns as domain
from services.visits.domain.concerns import Concern, Liaison, ReadScope, Submitter
from services.visits.repository.concerns import COLUMNS, concern_from_row
from shared.auth import Principal, Role
from shared.db.pool import DbConnection
from shared.errors import Forbidden, NotFound
from shared.regions import scope_prefix


@dataclass(frozen=True)
class Round:
    round: int
    department_code: str
    department_name: str | None
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
    department_name: str | None = None

    @property
    def departments(self) -> set[str]:
        return {r.department_code for r in self.rounds}


@dataclass(frozen=True)
class ConcernView:
    concern: Concern
    visit_id: UUID | None
    submitter: Submitter | None
    rounds: list[Round]
    updated_at: datetime
    department_name: str | None = None


def present(record: ConcernRecord, viewer: Principal) -> ConcernView:
    department = viewer.role is Role.DEPARTMENT
    c = record.concern
    return ConcernView(
        concern=c,
        visit_id=None if department else c.visit_id,
        submitter=domain.submitter(c, record.liaison, for_department=department),
        rounds=[r for r in record.rounds if not department or r.department_code == viewer.subject],
        updated_at=record.updated_at,
        department_name=record.department_name,
    )


async def view(conn: DbConnection, concern_id: UUID, viewer: Principal) -> ConcernView:
    """One concern, or 404 for a caller who may not see it (as if it did not exist)."""
    record = await read(conn, concern_id)
    if record is None or not domain.visible(viewer, record.concern, record.departments):
        raise NotFound("concern not found")
    return present(record, viewer)


async def page(
    conn: DbConnection,
    viewer: Principal,
    *,
    member_id: UUID | None,
    statuses: list[str] | None,
    kind: str | None,
    visit_id: UUID | None,
    after: UUID | None,
    limit: int,
) -> list[ConcernView]:
    scope = domain.read_scope(viewer, member_id=member_id)
    if scope is None:
        raise Forbidden(f"role {viewer.role.value} may not read concerns")
    records = await _page(
        conn, scope, statuses=statuses, kind=kind, visit_id=visit_id, after=after, limit=limit
    )
    return [present(r, viewer) for r in records]


async def history(conn: DbConnection, concern_id: UUID, viewer: Principal) -> list[dict[str, Any]]:
    """Departments and constituents see what happened, not who did it; departments also not
    the notes written for the submitter."""
    await view(conn, concern_id, viewer)
    rows = await conn.fetch(
        """SELECT round, action, from_status, to_status, actor, actor_role, at, detail, note
           FROM concern_transition WHERE concern_id = $1 ORDER BY id""",
        concern_id,
    )
    found = [{**dict(r), "detail": _json(r["detail"])} for r in rows]
    if viewer.role is Role.DEPARTMENT:
        return [{**r, "actor": None, "note": None} for r in found]
    if viewer.role is Role.CONSTITUENT:
        return [{**r, "actor": None} for r in found]
    return found


_READ = f"""SELECT {COLUMNS}, c.updated_at, l.liaison_id AS card_id, l.display_name,
        l.consent_to_departments, dd.name AS department_name
    FROM concern c LEFT JOIN liaison_roster l ON l.liaison_id = c.liaison_id
    LEFT JOIN department_directory dd ON dd.code = c.department_code"""


async def read(conn: DbConnection, concern_id: UUID) -> ConcernRecord | None:
    rows = await conn.fetch(f"{_READ} WHERE c.id = $1", concern_id)
    found = await _records(conn, rows)
    return found[0] if found else None


async def read_many(conn: DbConnection, concern_ids: list[UUID]) -> list[ConcernRecord]:
    """Several concerns by id, in no particular order (the caller orders them)."""
    return await _records(
        conn, await conn.fetch(f"{_READ} WHERE c.id = ANY($1::uuid[])", concern_ids)
    )


async def _page(
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


async def _records(conn: DbConnection, rows: list[asyncpg.Record]) -> list[ConcernRecord]:
    if not rows:
        return []
    round_rows = await conn.fetch(
        """SELECT r.concern_id, r.round, r.department_code, d.name AS department_name, r.due_on,
                  r.assigned_at, r.reply, r.replied_on, r.replied_via, r.satisfaction, r.resolved
           FROM concern_round r LEFT JOIN department_directory d ON d.code = r.department_code
           WHERE r.concern_id = ANY($1::uuid[]) ORDER BY r.concern_id, r.round""",
        [r["id"] for r in rows],
    )
    rounds: dict[UUID, list[Round]] = {}
    for r in round_rows:
        values = dict(r)
        rounds.setdefault(values.pop("concern_id"), []).append(Round(**values))
    return [
        ConcernRecord(
            concern=concern_from_row(r),
            rounds=rounds.get(r["id"], []),
            liaison=Liaison(r["card_id"], r["display_name"], r["consent_to_departments"])
            if r["card_id"]
            else None,
            updated_at=r["updated_at"],
            department_name=r["department_name"],
        )
        for r in rows
    ]


def _json(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return dict(loaded)
