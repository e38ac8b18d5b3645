"""Workstation use cases: open, read, list, amend, attach members, keep the rota, close.

Registrars (province, city and county offices) change the workstations in their area; staff in
the area read them; a member reads the ones they are attached to; everyone else gets 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from services.members.domain import workstations as domain
from services.members.domain.workstations import (
    DutyShift,
    NewWorkstation,
    Workstation,
    WorkstationChanges,
)
from services.members.handlers.access import require_registrar
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import STAFF_ROLES, Principal, Role
from shared.contracts.members import (
    WorkstationChangedV1,
    WorkstationClosedV1,
    WorkstationOpenedV1,
)
from shared.db.idempotency import request_fingerprint
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.kernel import Clock, new_id
from shared.regions import in_scope, scope_prefix


def _visible(principal: Principal, ws: Workstation) -> bool:
    if principal.role is Role.MEMBER:
        return principal.member_id in ws.member_ids
    return principal.role in STAFF_ROLES and principal.can_see_region(ws.region_code)


async def _load(
    uow: MembersUnitOfWork, principal: Principal, workstation_id: UUID, *, lock: bool = False
) -> Workstation:
    ws = await uow.workstations.get(workstation_id, lock=lock)
    if ws is None or not _visible(principal, ws):
        raise NotFound("workstation not found")
    return ws


async def _load_for_change(
    uow: MembersUnitOfWork, principal: Principal, workstation_id: UUID
) -> Workstation:
    ws = await _load(uow, principal, workstation_id, lock=True)
    require_registrar(principal, ws.region_code)
    return ws


async def _check_placement(uow: MembersUnitOfWork, new: NewWorkstation) -> None:
    region = await uow.organisation.region(new.region_code)
    if region is None or region.level not in ("city", "county"):
        raise InvalidInput("region_code must be a known city or county")
    await _check_guide(uow, new.guiding_special_committee_code, new.region_code)


async def _check_guide(uow: MembersUnitOfWork, code: str | None, region_code: str) -> None:
    """The guiding special committee belongs to a committee whose area holds the workstation."""
    if code is None:
        return
    committee_region = await uow.workstations.guiding_committee_region(code)
    if committee_region is None or not in_scope(committee_region, region_code):
        raise InvalidInput("unknown guiding_special_committee_code for this region")


async def open_workstation(
    new: NewWorkstation,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Workstation, bool]:
    """Returns the workstation and whether it was opened now (False: a replayed request)."""
    require_registrar(principal, new.region_code)
    async with uow:
        if idempotency_key:
            fingerprint = request_fingerprint({"workstation": new.__dict__})
            earlier = await uow.idempotency.claim(principal.subject, idempotency_key, fingerprint)
            if earlier is not None:
                return await _load(uow, principal, UUID(earlier)), False
        ws = domain.open_workstation(new_id(), new, at=clock.now())
        await _check_placement(uow, new)
        await uow.workstations.add(ws)
        if idempotency_key:
            await uow.idempotency.remember(principal.subject, idempotency_key, str(ws.id))
        uow.record(opened_event(ws))
        await uow.commit()
    return ws, True


async def get_workstation(
    workstation_id: UUID, *, principal: Principal, uow: MembersUnitOfWork
) -> Workstation:
    async with uow:
        return await _load(uow, principal, workstation_id)


async def list_workstations(
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    kind: str | None,
    region_code: str | None,
    status: str | None,
    after: UUID | None,
    limit: int,
) -> list[Workstation]:
    """Staff: the area's workstations (a region filter only narrows). Members: their own."""
    if principal.role is Role.MEMBER:
        region_prefix, member_id = None, principal.member_id
    elif principal.role in STAFF_ROLES:
        region_prefix, member_id = scope_prefix(principal.region_code), None
    else:
        raise Forbidden(f"role {principal.role.value} may not list workstations")
    if region_code is not None:
        region_prefix = _overlap(region_prefix, scope_prefix(region_code))
        if region_prefix is None:
            return []
    async with uow:
        return await uow.workstations.page(
            region_prefix=region_prefix,
            member_id=member_id,
            kind=kind,
            status=status,
            after=after,
            limit=limit,
        )


def _overlap(scope: str | None, wanted: str) -> str | None:
    """Where a region filter and the caller's area overlap (None: nowhere)."""
    if scope is None or wanted.startswith(scope):
        return wanted
    return scope if scope.startswith(wanted) else None


async def amend_workstation(
    workstation_id: UUID,
    changes: WorkstationChanges,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
) -> Workstation:
    """Name, head or guiding committee; an event only when what events carry has changed."""
    async with uow:
        ws = await _load_for_change(uow, principal, workstation_id)
        updated = domain.amend(ws, changes)
        if updated is ws:
            return ws
        if updated.guiding_special_committee_code != ws.guiding_special_committee_code:
            await _check_guide(uow, updated.guiding_special_committee_code, ws.region_code)
        await uow.workstations.save(updated)
        if _published(updated) != _published(ws):  # the head is not in the contract
            uow.record(changed_event(updated, clock.now()))
        await uow.commit()
    return updated


async def attach_members(
    workstation_id: UUID,
    member_ids: Sequence[UUID],
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
) -> Workstation:
    """Replace who is attached: serving members the caller can see. Detached ones leave the
    rota as well."""
    async with uow:
        ws = await _load_for_change(uow, principal, workstation_id)
        updated = domain.attach_members(ws, member_ids)
        if updated is ws:
            return ws
        prefix = scope_prefix(principal.region_code)
        found = await uow.workstations.attachable_members(updated.member_ids, prefix)
        unknown = sorted(str(m) for m in set(updated.member_ids) - found)
        if unknown:
            raise InvalidInput(f"not serving members in your area: {', '.join(unknown)}")
        await uow.workstations.replace_members(ws.id, updated.member_ids)
        uow.record(changed_event(updated, clock.now()))
        await uow.commit()
    return updated


async def set_rota(
    workstation_id: UUID,
    entries: Sequence[DutyShift],
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
) -> list[DutyShift]:
    """Replace the duty rota (值班表); only attached members hold duty."""
    async with uow:
        ws = await _load_for_change(uow, principal, workstation_id)
        rota = domain.plan_rota(ws, entries)
        await uow.workstations.replace_rota(ws.id, rota)
        await uow.commit()
    return rota


async def get_rota(
    workstation_id: UUID,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    from_date: date | None,
    to_date: date | None,
) -> list[DutyShift]:
    async with uow:
        ws = await _load(uow, principal, workstation_id)
        return await uow.workstations.rota(ws.id, from_date=from_date, to_date=to_date)


async def close_workstation(
    workstation_id: UUID, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> Workstation:
    """Kept for the record (attached members and rota stay), refusing all further changes."""
    async with uow:
        ws = await _load_for_change(uow, principal, workstation_id)
        at = clock.now()
        closed = domain.close(ws, at=at)
        await uow.workstations.save(closed)
        uow.record(
            WorkstationClosedV1(occurred_at=at, region_code=ws.region_code, workstation_id=ws.id)
        )
        await uow.commit()
    return closed


def _published(ws: Workstation) -> tuple[object, ...]:
    return (ws.name, ws.guiding_special_committee_code, ws.member_ids)


# The events, public so that the onboarding import publishes the same ones.
def opened_event(ws: Workstation) -> WorkstationOpenedV1:
    return WorkstationOpenedV1(
        occurred_at=ws.opened_at,
        region_code=ws.region_code,
        workstation_id=ws.id,
        kind=ws.kind.value,
        name=ws.name,
        guiding_special_committee_code=ws.guiding_special_committee_code,
        member_ids=list(ws.member_ids),
    )


def changed_event(ws: Workstation, at: datetime) -> WorkstationChangedV1:
    return WorkstationChangedV1(
        occurred_at=at,
        region_code=ws.region_code,
        workstation_id=ws.id,
        kind=ws.kind.value,
        name=ws.name,
        guiding_special_committee_code=ws.guiding_special_committee_code,
        member_ids=list(ws.member_ids),
    )
