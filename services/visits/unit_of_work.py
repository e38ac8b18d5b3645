"""Visits' unit of work: one transaction over contact records, obligations and read models."""

from __future__ import annotations

import asyncpg

from services.visits.repository.bridge import DispatchRepository
from services.visits.repository.concerns import ConcernRepository
from services.visits.repository.departments import DepartmentDirectory
from services.visits.repository.obligations import ObligationRepository
from services.visits.repository.roster import RosterRepository
from services.visits.repository.visits import ContactRecordRepository
from shared.db.idempotency import IdempotencyKeys
from shared.db.unit_of_work import PgUnitOfWork


class VisitsUnitOfWork(PgUnitOfWork):
    roster: RosterRepository
    obligations: ObligationRepository
    visits: ContactRecordRepository
    idempotency: IdempotencyKeys
    concerns: ConcernRepository
    dispatches: DispatchRepository
    departments: DepartmentDirectory

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool, source="/services/visits")

    def _bind(self, conn: asyncpg.Connection) -> None:
        self.roster = RosterRepository(conn)
        self.obligations = ObligationRepository(conn)
        self.visits = ContactRecordRepository(conn)
        self.idempotency = IdempotencyKeys(conn)
        self.concerns = ConcernRepository(conn)
        self.dispatches = DispatchRepository(conn)
        self.departments = DepartmentDirectory(conn)
