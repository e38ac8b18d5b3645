"""Reporting's unit of work: one transaction over the projection tables."""

from __future__ import annotations

import asyncpg

from services.reporting.repository import MemberCountRepository
from shared.db.unit_of_work import PgUnitOfWork


class ReportingUnitOfWork(PgUnitOfWork):
    member_counts: MemberCountRepository

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, source="/services/reporting")

    def _bind(self, conn: asyncpg.Connection) -> None:
        self.member_counts = MemberCountRepository(conn)
