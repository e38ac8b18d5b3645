"""Members SQL: units."""

from __future__ import annotations

import asyncpg


class UnitRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
