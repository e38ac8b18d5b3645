"""Grassroots unit use cases: a member links exactly one unit (基层单元); re-linking replaces it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members.domain import liaisons as domain
from services.members.domain.liaisons import GrassrootsUnit, UnitKind
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.contracts.members import UnitLinkedV1
from shared.errors import NotFound
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class UnitDetails:
    name: str
    kind: UnitKind
    region_code: str
    address: str | None = None


async def link_unit(
    member_id: UUID,
    details: UnitDetails,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
) -> tuple[GrassrootsUnit, bool]:
    """The member's unit now, and whether this call created it (a re-link keeps its id)."""
    domain.screen(principal)
    async with uow:
        # Locking the member serialises two first links, which would both try to insert.
        member = await uow.members.get_in_scope(member_id, principal.region_code, lock=True)
        if member is None:
            raise NotFound("member not found")
        domain.roster_sight(principal, member)
        domain.require_keeper(principal)
        current = await uow.units.for_member(member.id)
        unit = domain.link_unit(
            current,
            member,
            unit_id=new_id(),
            name=details.name,
            kind=details.kind,
            region_code=details.region_code,
            address=details.address,
            at=clock.now(),
        )
        if unit is None:
            assert current is not None
            return current, False
        if current is None:
            await uow.units.add(unit)
        else:
            await uow.units.save(unit)
        uow.record(
            UnitLinkedV1(
                occurred_at=unit.linked_at,
                region_code=member.region_code,
                member_id=member.id,
                unit_id=unit.id,
                unit_name=unit.name,
                unit_kind=unit.kind,
            )
        )
        await uow.commit()
    return unit, current is None


async def get_unit(
    member_id: UUID, *, principal: Principal, uow: MembersUnitOfWork
) -> GrassrootsUnit:
    domain.screen(principal)
    async with uow:
        member = await uow.members.get_in_scope(member_id, principal.region_code)
        if member is None:
            raise NotFound("member not found")
        domain.roster_sight(principal, member)
        unit = await uow.units.for_member(member.id)
    if unit is None:
        raise NotFound("the member has not linked a unit")
    return unit
