"""The data-platform pull feed: de-identified facts after a cursor, in the order they landed."""

from __future__ import annotations

import json
from typing import Any

from shared.db.pool import DbConnection


async def feed_page(
    conn: DbConnection, *, region_prefix: str, after: int, limit: int
) -> list[tuple[int, dict[str, Any]]]:
    rows = await conn.fetch(
        """SELECT seq, payload FROM feed_entry
           WHERE seq > $1 AND region_code LIKE $2 || '%'
           ORDER BY seq LIMIT $3""",
        after,
        region_prefix,
        limit,
    )
    return [(int(r["seq"]), json.loads(r["payload"])) for r in rows]
