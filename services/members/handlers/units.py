"""Grassroots unit use cases: a member links exactly one unit (基层单元); re-linking replaces it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members import events
from services.members.domain import liaisons as domain
from services.members.domain.liaisons import GrassrootsUnit, UnitKind
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.errors import NotFound
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class LinkUnit:
    member_id: UUID
    name: str
    kind: UnitKind
    region_code: str
    address: str | None = None


async def link_unit(
    cmd: LinkUnit, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> tuple[GrassrootsUnit, bool]:
    """The member's unit now, and whether this call created it (a re-link keeps its id)."""
    domain.screen(principal)
    async with uow:
        # Locking the member serialises two first links, which would both try to insert.
        member = await uow.members.get_in_scope(cmd.member_id, principal.region_code, lock=True)
        if member is None:
            raise NotFound("member not found")
        domain.roster_sight(principal, member)
        domain.require_keeper(principal)
        current = await uow.units.for_member(member.id)
        unit = domain.link_unit(
            current,
            member,
            unit_id=new_id(),
            name=cmd.name,
            kind=cmd.kind,
            region_code=cmd.region_code,
            address=cmd.address,
            at=clock.now(),
        )
        if unit is None:
            assert current is not None
            return current, False
        if current is None:
            await uow.units.add(unit)
        else:
            await uow.units.save(unit)
        uow.record(events.unit_linked(unit, member.region_code))
        await uow.commit()
    return unit, current is None
