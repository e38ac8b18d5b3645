"""Reads of the directory: one member with roster warnings, and members a page at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from services.members.domain.access import require_directory_reader, require_member_visible
from services.members.domain.members import LiaisonQuota, Member
from services.members.repository.members import COLUMNS, from_row
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.errors import NotFound
from shared.regions import scope_prefix


@dataclass(frozen=True)
class MemberView:
    member: Member
    linked_liaisons: int
    warnings: list[str] = field(default_factory=list)


async def get_member(
    member_id: UUID, *, principal: Principal, uow: MembersUnitOfWork, quota: LiaisonQuota
) -> MemberView:
    require_member_visible(principal, member_id)
    async with uow:
        member = await uow.members.get_in_scope(member_id, principal.region_code)
        if member is None:
            raise NotFound("member not found")
        linked = await uow.liaisons.count_linked(member_id)
    return MemberView(member, linked, quota.warnings(linked))


async def list_members(
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    sector_code: str | None,
    committee_code: str | None,
    status: str | None,
    after: UUID | None,
    limit: int,
) -> list[Member]:
    require_directory_reader(principal)
    async with uow:
        rows = await uow.connection.fetch(
            f"""SELECT {COLUMNS} FROM member
                WHERE region_code LIKE $1 || '%'
                  AND ($2::text IS NULL OR sector_code = $2)
                  AND ($3::text IS NULL OR committee_code = $3)
                  AND ($4::text IS NULL OR status = $4)
                  AND ($5::uuid IS NULL OR id > $5)
                ORDER BY id LIMIT $6""",
            scope_prefix(principal.region_code),
            sector_code,
            committee_code,
            status,
            after,
            limit,
        )
    return [from_row(r) for r in rows]
