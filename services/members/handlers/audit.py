"""Audit use cases: the security auditor reads who saw or changed liaisons' personal data."""

from __future__ import annotations

from uuid import UUID

from services.members.repository.audit import AuditRecord
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import STAFF_ROLES, Principal, Role
from shared.errors import Forbidden, NotFound


def require_auditor(principal: Principal) -> None:
    """Auditors only, and only province-wide ones.

    Offices and special committees get 403: the audit log is no secret to them, only not
    theirs to read. Members, departments, constituents and the data platform get the 404
    every path outside their world gives. The log has no region column yet, so an auditor
    scoped below a province would see other cities' rows: refused until it has one.
    """
    if principal.role in STAFF_ROLES:
        raise Forbidden("only the security auditor reads the audit log")
    if principal.role is not Role.AUDITOR:
        raise NotFound("not found")
    if not principal.region_code.endswith("0000"):
        raise Forbidden("the audit log is read province-wide: use a province-scoped token")


async def search_pii_audit(
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    liaison_id: UUID | None = None,
    actor: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[AuditRecord]:
    require_auditor(principal)
    async with uow:
        return await uow.audit.search(liaison_id=liaison_id, actor=actor, after=after, limit=limit)
