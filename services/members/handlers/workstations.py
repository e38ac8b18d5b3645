"""Workstation use cases: open, amend, attach members, keep the rota, close.

Registrars (province, city and county offices) change the workstations in their area; the
reads (staff in the area, a member their own, everyone else 404) are in views/workstations.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members import events
from services.members.domain import workstations as domain
from services.members.domain.access import require_registrar, workstation_visible
from services.members.domain.workstations import (
    DutyShift,
    NewWorkstation,
    Workstation,
    WorkstationChanges,
)
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.db.idempotency import IdempotentRequest, create_once
from shared.errors import InvalidInput, NotFound
from shared.kernel import Clock, new_id
from shared.regions import in_scope, scope_prefix


@dataclass(frozen=True)
class OpenWorkstation:
    workstation: NewWorkstation


@dataclass(frozen=True)
class AmendWorkstation:
    workstation_id: UUID
    changes: WorkstationChanges


@dataclass(frozen=True)
class AttachMembers:
    """Exactly these members are attached afterwards."""

    workstation_id: UUID
    member_ids: tuple[UUID, ...]


@dataclass(frozen=True)
class SetRota:
    workstation_id: UUID
    entries: tuple[DutyShift, ...]


@dataclass(frozen=True)
class CloseWorkstation:
    workstation_id: UUID


async def _visible(
    uow: MembersUnitOfWork, principal: Principal, workstation_id: UUID, *, lock: bool = False
) -> Workstation | None:
    ws = await uow.workstations.get(workstation_id, lock=lock)
    return ws if ws is not None and workstation_visible(principal, ws) else None


async def _load_for_change(
    uow: MembersUnitOfWork, principal: Principal, workstation_id: UUID
) -> Workstation:
    ws = await _visible(uow, principal, workstation_id, lock=True)
    if ws is None:
        raise NotFound("workstation not found")
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
    cmd: OpenWorkstation,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Workstation, bool]:
    """Returns the workstation and whether it was opened now (False: a replayed request)."""
    new = cmd.workstation
    require_registrar(principal, new.region_code)

    async def create() -> Workstation:
        ws = domain.open_workstation(new_id(), new, at=clock.now())
        await _check_placement(uow, new)
        await uow.workstations.add(ws)
        uow.record(events.workstation_opened(ws))
        return ws

    async with uow:
        ws, opened = await create_once(
            uow.idempotency,
            IdempotentRequest.of(principal.subject, idempotency_key, {"workstation": new.__dict__}),
            create=create,
            earlier=lambda ws_id: _visible(uow, principal, ws_id),
            id_of=lambda ws: ws.id,
            not_found="workstation not found",
        )
        await uow.commit()
    return ws, opened


async def amend_workstation(
    cmd: AmendWorkstation, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> Workstation:
    """Name, head or guiding committee; an event only when what events carry has changed."""
    async with uow:
        ws = await _load_for_change(uow, principal, cmd.workstation_id)
        updated = domain.amend(ws, cmd.changes)
        if updated is ws:
            return ws
        if updated.guiding_special_committee_code != ws.guiding_special_committee_code:
            await _check_guide(uow, updated.guiding_special_committee_code, ws.region_code)
        await uow.workstations.save(updated)
        if _published(updated) != _published(ws):  # the head is not in the contract
            uow.record(events.workstation_changed(updated, clock.now()))
        await uow.commit()
    return updated


async def attach_members(
    cmd: AttachMembers, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> Workstation:
    """Replace who is attached: serving members the caller can see. Detached ones leave the
    rota as well."""
    async with uow:
        ws = await _load_for_change(uow, principal, cmd.workstation_id)
        updated = domain.attach_members(ws, cmd.member_ids)
        if updated is ws:
            return ws
        prefix = scope_prefix(principal.region_code)
        found = await uow.workstations.attachable_members(updated.member_ids, prefix)
        unknown = sorted(str(m) for m in set(updated.member_ids) - found)
        if unknown:
            raise InvalidInput(f"not serving members in your area: {', '.join(unknown)}")
        await uow.workstations.replace_members(ws.id, updated.member_ids)
        uow.record(events.workstation_changed(updated, clock.now()))
        await uow.commit()
    return updated


async def set_rota(
    cmd: SetRota, *, principal: Principal, uow: MembersUnitOfWork
) -> list[DutyShift]:
    """Replace the duty rota (值班表); only attached members hold duty."""
    async with uow:
        ws = await _load_for_change(uow, principal, cmd.workstation_id)
        rota = domain.plan_rota(ws, cmd.entries)
        await uow.workstations.replace_rota(ws.id, rota)
        await uow.commit()
    return rota


async def close_workstation(
    cmd: CloseWorkstation, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> Workstation:
    """Kept for the record (attached members and rota stay), refusing all further changes."""
    async with uow:
        ws = await _load_for_change(uow, principal, cmd.workstation_id)
        at = clock.now()
        closed = domain.close(ws, at=at)
        await uow.workstations.save(closed)
        uow.record(events.workstation_closed(closed, at))
        await uow.commit()
    return closed


def _published(ws: Workstation) -> tuple[object, ...]:
    return (ws.name, ws.guiding_special_committee_code, ws.member_ids)
