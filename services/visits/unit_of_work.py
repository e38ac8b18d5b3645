"""Visits' unit of work."""

from __future__ import annotations

import asyncpg

from services.visits.repository import MemberRosterRepository
from shared.db.unit_of_work import PgUnitOfWork


class VisitsUnitOfWork(PgUnitOfWork):
    roster: MemberRosterRepository

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, source="/services/visits")

    def _bind(self, conn: asyncpg.Connection) -> None:
        self.roster = MemberRosterRepository(conn)
