"""The members service's unit of work: one transaction, its repositories, its outbox."""

from __future__ import annotations

import asyncpg

from services.members.repository import MemberRepository
from shared.db.unit_of_work import PgUnitOfWork


class MembersUnitOfWork(PgUnitOfWork):
    members: MemberRepository

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, source="/services/members")

    def _bind(self, conn: asyncpg.Connection) -> None:
        self.members = MemberRepository(conn)
