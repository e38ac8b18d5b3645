"""Members use cases: register, update, retire (the reads are in views/members.py)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members import events
from services.members.domain import members as domain
from services.members.domain.access import require_member_visible, require_registrar
from services.members.domain.members import Member, MemberProfile, MemberStatus
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.db.idempotency import IdempotentRequest, create_once
from shared.errors import NotFound
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class RegisterMember:
    profile: MemberProfile


@dataclass(frozen=True)
class UpdateMember:
    """A full replacement of what staff may set, as PUT does."""

    member_id: UUID
    profile: MemberProfile
    status: MemberStatus


@dataclass(frozen=True)
class RetireMember:
    member_id: UUID


async def register_member(
    cmd: RegisterMember,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Member, bool]:
    """Returns the member and whether it was created now (False: a replayed request)."""
    require_registrar(principal, cmd.profile.region_code)

    async def create() -> Member:
        member = domain.register_member(new_id(), cmd.profile, at=clock.now())
        await uow.members.add(member)
        uow.record(events.member_registered(member))
        return member

    async def earlier(member_id: UUID) -> Member | None:
        return await uow.members.get_in_scope(member_id, principal.region_code)

    async with uow:
        member, created = await create_once(
            uow.idempotency,
            IdempotentRequest.of(principal.subject, idempotency_key, cmd.profile),
            create=create,
            earlier=earlier,
            id_of=lambda m: m.id,
            not_found="member not found",
        )
        await uow.commit()
    return member, created


async def update_member(
    cmd: UpdateMember, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> Member:
    require_registrar(principal, cmd.profile.region_code)
    async with uow:
        member = await uow.members.get_in_scope(cmd.member_id, principal.region_code, lock=True)
        if member is None:
            raise NotFound("member not found")
        if domain.same_profile(member, cmd.profile) and member.status is cmd.status:
            return member
        updated = domain.update_member(member, cmd.profile, cmd.status, at=clock.now())
        await uow.members.save(updated)
        uow.record(events.member_updated(updated, clock.now()))
        await uow.commit()
    return updated


async def retire_member(
    cmd: RetireMember, *, principal: Principal, uow: MembersUnitOfWork, clock: Clock
) -> Member:
    # Who may not see the member hears 404 before the lookup: a 403 would confirm the id.
    require_member_visible(principal, cmd.member_id)
    async with uow:
        member = await uow.members.get_in_scope(cmd.member_id, principal.region_code, lock=True)
        if member is None:
            raise NotFound("member not found")
        require_registrar(principal, member.region_code)
        retired = domain.retire_member(member, at=clock.now())
        await uow.members.save(retired)
        uow.record(events.member_retired(retired, clock.now()))
        await uow.commit()
    return retired
