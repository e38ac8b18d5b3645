"""Organisation use cases: the regions, sectors and committees a city brings when it joins."""

from __future__ import annotations

from services.members.domain import organisation as domain
from services.members.domain.organisation import Committee, Region, Sector, SpecialCommittee
from services.members.handlers.access import require_directory_reader, require_registrar
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.errors import Forbidden, InvalidInput, NotFound


async def list_regions(
    *, principal: Principal, uow: MembersUnitOfWork, parent_code: str | None
) -> list[Region]:
    async with uow:
        return await uow.organisation.regions(principal.region_code, parent_code=parent_code)


async def add_region(
    code: str, name: str, *, principal: Principal, uow: MembersUnitOfWork
) -> Region:
    require_registrar(principal, code[:6])
    region = Region(code, name.strip(), domain.region_level(code), domain.parent_code(code))
    if region.level == "province":
        raise Forbidden("provinces are reference data")
    async with uow:
        await uow.organisation.add_region(region)
        await uow.commit()
    return region


async def list_sectors(*, uow: MembersUnitOfWork) -> list[Sector]:
    async with uow:
        return await uow.organisation.sectors()


async def add_sector(
    code: str,
    name: str,
    festivals: list[tuple[str, int, int]],
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
) -> None:
    if principal.role is not Role.PROVINCE_ADMIN:
        raise Forbidden("only the provincial office keeps the sector list")
    async with uow:
        await uow.organisation.add_sector(code, name.strip())
        await uow.organisation.set_festivals(code, festivals)
        await uow.commit()


async def set_festivals(
    code: str,
    festivals: list[tuple[str, int, int]],
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
) -> None:
    if principal.role is not Role.PROVINCE_ADMIN:
        raise Forbidden("only the provincial office keeps the festival calendar")
    async with uow:
        if not await uow.organisation.sector_exists(code):
            raise NotFound("sector not found")
        await uow.organisation.set_festivals(code, festivals)
        await uow.commit()


async def list_committees(*, principal: Principal, uow: MembersUnitOfWork) -> list[Committee]:
    require_directory_reader(principal)
    async with uow:
        return await uow.organisation.committees(principal.region_code)


async def add_committee(
    code: str, name: str, region_code: str, *, principal: Principal, uow: MembersUnitOfWork
) -> Committee:
    require_registrar(principal, region_code)
    async with uow:
        region = await uow.organisation.region(region_code)
        if region is None:
            raise InvalidInput("unknown region_code")
        committee = Committee(code, name.strip(), domain.committee_level(region), region_code)
        await uow.organisation.add_committee(committee)
        await uow.commit()
    return committee


async def list_special_committees(
    *, principal: Principal, uow: MembersUnitOfWork
) -> list[SpecialCommittee]:
    require_directory_reader(principal)
    async with uow:
        return await uow.organisation.special_committees(principal.region_code)


async def add_special_committee(
    code: str, name: str, committee_code: str, *, principal: Principal, uow: MembersUnitOfWork
) -> SpecialCommittee:
    async with uow:
        committee = await uow.organisation.committee(committee_code)
        if committee is None or not principal.can_see_region(committee.region_code):
            raise InvalidInput("unknown committee_code")
        require_registrar(principal, committee.region_code)
        special = SpecialCommittee(code, name.strip(), committee_code)
        await uow.organisation.add_special_committee(special)
        await uow.commit()
    return special
