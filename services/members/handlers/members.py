"""Members use cases: register, read, list, update, retire."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from services.members import events
from services.members.domain import members as domain
from services.members.domain.members import LiaisonQuota, Member, MemberProfile, MemberStatus
from services.members.handlers.access import (
    require_directory_reader,
    require_member_visible,
    require_registrar,
)
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.db.idempotency import request_fingerprint
from shared.errors import NotFound
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class MemberView:
    member: Member
    linked_liaisons: int
    warnings: list[str] = field(default_factory=list)


async def register_member(
    profile: MemberProfile,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Member, bool]:
    """Returns the member and whether it was created now (False: a replayed request)."""
    require_registrar(principal, profile.region_code)
    async with uow:
        if idempotency_key:
            fingerprint = request_fingerprint(profile.__dict__)
            earlier = await uow.idempotency.claim(principal.subject, idempotency_key, fingerprint)
            if earlier is not None:
                existing = await uow.members.get_in_scope(UUID(earlier), principal.region_code)
                if existing is None:
                    raise NotFound("member not found")
                return existing, False
        member = domain.register_member(new_id(), profile, at=clock.now())
        await uow.members.add(member)
        if idempotency_key:
            await uow.idempotency.remember(principal.subject, idempotency_key, str(member.id))
        uow.record(events.member_registered(member))
        await uow.commit()
    return member, True


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
        return await uow.members.list_in_scope(
            principal.region_code,
            sector_code=sector_code,
            committee_code=committee_code,
            status=status,
            after=after,
            limit=limit,
        )


async def update_member(
    member_id: UUID,
    profile: MemberProfile,
    status: MemberStatus,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
) -> Member:
    require_registrar(principal, profile.region_code)
    async with uow:
        member = await uow.members.get_in_scope(member_id, principal.region_code, lock=True)
        if member is None:
            raise NotFound("member not found")
        if domain.same_profile(member, profile) and member.status is status:
            return member
        updated = domain.update_member(member, profile, status, at=clock.now())
        await uow.members.save(updated)
        uow.record(events.member_updated(updated, clock.now()))
        await uow.commit()
    return updated


async def retire_member(
    member_id: UUID, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> Member:
    # Who may not see the member hears 404 before the lookup: a 403 would confirm the id.
    require_member_visible(principal, member_id)
    async with uow:
        member = await uow.members.get_in_scope(member_id, principal.region_code, lock=True)
        if member is None:
            raise NotFound("member not found")
        require_registrar(principal, member.region_code)
        retired = domain.retire_member(member, at=clock.now())
        await uow.members.save(retired)
        uow.record(events.member_retired(retired, clock.now()))
        await uow.commit()
    return retired
