"""The members service's unit of work: one transaction, run as `members_app` inside a scope."""

from __future__ import annotations

import asyncpg

from services.members.account_queue import note_events
from services.members.repository.accounts import AccountRepository
from services.members.repository.audit import PiiAuditLog
from services.members.repository.departments import DepartmentRepository
from services.members.repository.imports import ImportJobRepository
from services.members.repository.liaisons import LiaisonRepository
from services.members.repository.members import MemberRepository
from services.members.repository.occasions import OccasionRepository
from services.members.repository.organisation import OrganisationRepository
from services.members.repository.units import UnitRepository
from services.members.repository.workstations import WorkstationRepository
from shared.db.idempotency import IdempotencyKeys
from shared.db.unit_of_work import PgUnitOfWork
from shared.regions import scope_prefix

APP_ROLE = "members_app"
# The row-level-security prefix of platform-wide work (schedules, imports). An empty or unset
# prefix matches nothing, so forgetting to set one fails closed.
WHOLE_PROVINCE = "%"


class MembersUnitOfWork(PgUnitOfWork):
    organisation: OrganisationRepository
    members: MemberRepository
    units: UnitRepository
    liaisons: LiaisonRepository
    workstations: WorkstationRepository
    occasions: OccasionRepository
    imports: ImportJobRepository
    departments: DepartmentRepository
    audit: PiiAuditLog
    idempotency: IdempotencyKeys
    accounts: AccountRepository

    def __init__(self, pool: asyncpg.Pool, *, scope: str | None) -> None:
        """`scope` is the caller's region code; None is the whole platform (jobs, imports)."""
        super().__init__(pool, source="/services/members")
        self._prefix = WHOLE_PROVINCE if scope is None else scope_prefix(scope)

    async def _on_begin(self, conn: asyncpg.Connection) -> None:
        # Not the owner, so row-level security applies; the prefix is what it filters on.
        await conn.execute(
            "SELECT set_config('role', $1, true), set_config('app.region_prefix', $2, true)",
            APP_ROLE,
            self._prefix,
        )

    def _bind(self, conn: asyncpg.Connection) -> None:
        self.organisation = OrganisationRepository(conn)
        self.members = MemberRepository(conn)
        self.units = UnitRepository(conn)
        self.liaisons = LiaisonRepository(conn)
        self.workstations = WorkstationRepository(conn)
        self.occasions = OccasionRepository(conn)
        self.imports = ImportJobRepository(conn)
        self.departments = DepartmentRepository(conn)
        self.audit = PiiAuditLog(conn)
        self.idempotency = IdempotencyKeys(conn)
        self.accounts = AccountRepository(conn)

    async def commit(self) -> None:
        # Accounts follow the directory: the members' sign-in accounts to sync are noted in the
        # same transaction as the members themselves (the account job does the rest).
        if self._tx is not None:
            await note_events(self.connection, self._events)
        await super().commit()
