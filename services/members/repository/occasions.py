"""Members SQL: occasions."""

from __future__ import annotations

import asyncpg


class OccasionRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
