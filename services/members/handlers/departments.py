"""Department use cases (承办单位): offices register the departments of their area and keep
their names, contacts and disposal-platform ids current. Lists are read in views/departments.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members import events
from services.members.domain import departments as domain
from services.members.domain.access import require_registrar
from services.members.domain.departments import Department, DepartmentChanges
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.db.idempotency import IdempotentRequest, create_once
from shared.errors import NotFound
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class RegisterDepartment:
    code: str
    name: str
    region_code: str
    contact: str | None = None
    platform_id: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class UpdateDepartment:
    department_id: UUID
    changes: DepartmentChanges


async def register_department(
    cmd: RegisterDepartment,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Department, bool]:
    """The new department and True; a replayed Idempotency-Key gives the first one and False."""
    require_registrar(principal, cmd.region_code)
    request = IdempotentRequest.of(principal.subject, idempotency_key, cmd)

    async def create() -> Department:
        at = clock.now()
        department = Department(
            id=new_id(),
            code=cmd.code,
            name=cmd.name.strip(),
            region_code=cmd.region_code,
            contact=cmd.contact,
            platform_id=cmd.platform_id,
            external_id=cmd.external_id,
            registered_at=at,
            updated_at=at,
        )
        await uow.departments.add(department)
        uow.record(events.department_registered(department))
        return department

    async def earlier(department_id: UUID) -> Department | None:
        return await uow.departments.get_in_scope(department_id, principal.region_code)

    async with uow:
        found = await create_once(
            uow.idempotency, request, create=create, earlier=earlier, id_of=lambda d: d.id
        )
        await uow.commit()
    return found


async def update_department(
    cmd: UpdateDepartment, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> Department:
    async with uow:
        department = await uow.departments.get_in_scope(
            cmd.department_id, principal.region_code, lock=True
        )
        if department is None:
            raise NotFound("未找到该承办单位")
        domain.require_keeper(principal, department)
        changed = domain.change(department, cmd.changes, clock.now())
        if changed is None:
            return department
        await uow.departments.save(changed)
        uow.record(events.department_updated(changed))
        await uow.commit()
    return changed
