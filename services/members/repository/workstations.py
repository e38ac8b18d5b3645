"""Members SQL: workstations."""

from __future__ import annotations

import asyncpg


class WorkstationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
