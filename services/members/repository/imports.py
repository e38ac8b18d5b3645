"""Members SQL: imports."""

from __future__ import annotations

import asyncpg


class ImportJobRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
