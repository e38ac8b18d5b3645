"""Organisation use cases: the regions, sectors and committees a city brings when it joins.

The lists are read in views/organisation.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.members.domain import organisation as domain
from services.members.domain.access import require_registrar
from services.members.domain.organisation import Committee, Region, SpecialCommittee
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.errors import Forbidden, InvalidInput, NotFound

# A sector's festivals: (name, month, day).
Festivals = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class AddRegion:
    code: str
    name: str


@dataclass(frozen=True)
class AddSector:
    code: str
    name: str
    festivals: Festivals = ()


@dataclass(frozen=True)
class SetFestivals:
    sector_code: str
    festivals: Festivals


@dataclass(frozen=True)
class AddCommittee:
    code: str
    name: str
    region_code: str


@dataclass(frozen=True)
class AddSpecialCommittee:
    code: str
    name: str
    committee_code: str


async def add_region(cmd: AddRegion, *, principal: Principal, uow: MembersUnitOfWork) -> Region:
    require_registrar(principal, cmd.code[:6])
    code = cmd.code
    region = Region(code, cmd.name.strip(), domain.region_level(code), domain.parent_code(code))
    if region.level == "province":
        raise Forbidden("provinces are reference data")
    async with uow:
        await uow.organisation.add_region(region)
        await uow.commit()
    return region


def _distinct(festivals: Festivals) -> None:
    """A sector's festivals are keyed by name: the same name twice is bad input, not a 500."""
    names = [name for name, _, _ in festivals]
    if len(set(names)) != len(names):
        raise InvalidInput("each festival of a sector needs its own name")


async def add_sector(cmd: AddSector, *, principal: Principal, uow: MembersUnitOfWork) -> None:
    if principal.role is not Role.PROVINCE_ADMIN:
        raise Forbidden("only the provincial office keeps the sector list")
    _distinct(cmd.festivals)
    async with uow:
        await uow.organisation.add_sector(cmd.code, cmd.name.strip())
        await uow.organisation.set_festivals(cmd.code, list(cmd.festivals))
        await uow.commit()


async def set_festivals(cmd: SetFestivals, *, principal: Principal, uow: MembersUnitOfWork) -> None:
    if principal.role is not Role.PROVINCE_ADMIN:
        raise Forbidden("only the provincial office keeps the festival calendar")
    _distinct(cmd.festivals)
    async with uow:
        if not await uow.organisation.sector_exists(cmd.sector_code):
            raise NotFound("sector not found")
        await uow.organisation.set_festivals(cmd.sector_code, list(cmd.festivals))
        await uow.commit()


async def add_committee(
    cmd: AddCommittee, *, principal: Principal, uow: MembersUnitOfWork
) -> Committee:
    require_registrar(principal, cmd.region_code)
    async with uow:
        region = await uow.organisation.region(cmd.region_code)
        if region is None:
            raise InvalidInput("unknown region_code")
        level = domain.committee_level(region)
        committee = Committee(cmd.code, cmd.name.strip(), level, cmd.region_code)
        await uow.organisation.add_committee(committee)
        await uow.commit()
    return committee


async def add_special_committee(
    cmd: AddSpecialCommittee, *, principal: Principal, uow: MembersUnitOfWork
) -> SpecialCommittee:
    async with uow:
        committee = await uow.organisation.committee(cmd.committee_code)
        if committee is None or not principal.can_see_region(committee.region_code):
            raise InvalidInput("unknown committee_code")
        require_registrar(principal, committee.region_code)
        special = SpecialCommittee(cmd.code, cmd.name.strip(), cmd.committee_code)
        await uow.organisation.add_special_committee(special)
        await uow.commit()
    return special
