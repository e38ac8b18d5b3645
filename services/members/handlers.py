"""Members use cases: each opens a unit of work, asks the domain, saves, records events."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members import domain
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import STAFF_ROLES, Principal, Role
from shared.contracts.members import MemberRegisteredV1
from shared.errors import Forbidden, NotFound
from shared.kernel import Clock, new_id

# Who may add members to the directory: the offices that onboard their own area.
REGISTRARS = frozenset({Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN})


@dataclass(frozen=True)
class RegisterMember:
    full_name: str
    sector_code: str
    committee_code: str
    region_code: str


async def register_member(
    cmd: RegisterMember, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> domain.Member:
    if principal.role not in REGISTRARS:
        raise Forbidden(f"role {principal.role.value} may not register members")
    if not principal.can_see_region(cmd.region_code):
        raise Forbidden("region_code is outside your scope")
    member = domain.register_member(
        member_id=new_id(),
        full_name=cmd.full_name,
        sector_code=cmd.sector_code,
        committee_code=cmd.committee_code,
        region_code=cmd.region_code,
        at=clock.now(),
    )
    async with uow:
        await uow.members.add(member)
        uow.record(
            MemberRegisteredV1(
                occurred_at=member.registered_at,
                region_code=member.region_code,
                member_id=member.id,
                full_name=member.full_name,
                sector_code=member.sector_code,
                committee_code=member.committee_code,
            )
        )
        await uow.commit()
    return member


async def get_member(
    member_id: UUID, *, principal: Principal, uow: MembersUnitOfWork
) -> domain.Member:
    # A member sees only their own record; staff see their region. Anything else is 404.
    if principal.role is Role.MEMBER and principal.member_id != member_id:
        raise NotFound("member not found")
    if principal.role not in STAFF_ROLES | {Role.MEMBER}:
        raise NotFound("member not found")
    async with uow:
        member = await uow.members.get_in_scope(member_id, principal.region_code)
    if member is None:
        raise NotFound("member not found")
    return member


async def list_members(
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    sector_code: str | None,
    after: UUID | None,
    limit: int,
) -> list[domain.Member]:
    if principal.role not in STAFF_ROLES:
        raise Forbidden(f"role {principal.role.value} may not list members")
    async with uow:
        return await uow.members.list_in_scope(
            principal.region_code, sector_code=sector_code, after=after, limit=limit
        )
