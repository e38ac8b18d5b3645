"""A member's dossier (履职档案): the profile, the timeline, the years it covers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from services.reporting.domain import LOCAL_TZ
from shared.db.pool import DbConnection


async def member_profile(conn: DbConnection, member_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        """SELECT member_id, full_name, region_code, sector_code, committee_code,
                  special_committee_code, status
           FROM member_dim WHERE member_id = $1""",
        member_id,
    )
    return dict(row) if row else None


async def timeline(
    conn: DbConnection, member_id: UUID, *, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT event_id, occurred_at, event_type, subject_id, facts
           FROM timeline_entry
           WHERE member_id = $1 AND occurred_at >= $2 AND occurred_at < $3
           ORDER BY occurred_at, event_id""",
        member_id,
        start,
        end,
    )
    return [{**dict(r), "facts": _object(r["facts"])} for r in rows]


def _object(facts: Any) -> dict[str, Any]:
    """Lines written before 7 Dec 2026 hold their facts' JSON text as a JSON string (a rebuild
    rewrites them as objects)."""
    return cast(dict[str, Any], json.loads(facts) if isinstance(facts, str) else facts)


async def years(conn: DbConnection, member_id: UUID) -> list[int]:
    """The local years the member's timeline covers, newest first."""
    rows = await conn.fetch(
        """SELECT DISTINCT extract(year FROM occurred_at AT TIME ZONE $2)::int AS year
           FROM timeline_entry WHERE member_id = $1 ORDER BY 1 DESC""",
        member_id,
        str(LOCAL_TZ),
    )
    return [int(r["year"]) for r in rows]
