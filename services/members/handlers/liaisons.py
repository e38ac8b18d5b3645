"""Liaison use cases: link, change, unlink, and report circumstances (八必访 5-7).

Every change writes its audit row in the same transaction as the change: no audit row, no
data. The commands answer the liaison itself; the caller shows it masked (it knows what it
sent). The reads, audited too, are in views/liaisons.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.members import events
from services.members.domain import liaisons as domain
from services.members.domain.liaisons import Circumstance, Liaison, LiaisonChanges, PersonalData
from services.members.domain.members import LiaisonQuota, Member
from services.members.pii import PiiCipher
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.contracts.members import CircumstanceKind
from shared.db.idempotency import IdempotentRequest, create_once
from shared.errors import NotFound
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class LinkLiaison:
    member_id: UUID
    personal: PersonalData
    consent_to_departments: bool = False
    external_id: str | None = None

    def fingerprinted(self) -> list[Any]:
        """What a retry must repeat. Built from masked forms: an unsalted hash of a phone
        number is no secret, so none is stored beside the idempotency key."""
        masked = self.personal.masked()
        return [str(self.member_id), masked.__dict__, self.consent_to_departments, self.external_id]


@dataclass(frozen=True)
class UpdateLiaison:
    liaison_id: UUID
    changes: LiaisonChanges


@dataclass(frozen=True)
class UnlinkLiaison:
    liaison_id: UUID


@dataclass(frozen=True)
class ReportCircumstance:
    liaison_id: UUID
    kind: CircumstanceKind
    summary: str


async def link_liaison(
    cmd: LinkLiaison,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
    quota: LiaisonQuota,
    idempotency_key: str | None = None,
) -> tuple[Liaison, bool]:
    """The liaison and whether it was created now (False: a replayed request)."""
    domain.screen(principal)

    async def create() -> Liaison:
        liaison = domain.link_liaison(
            new_id(),
            member,
            cmd.personal,
            consent_to_departments=cmd.consent_to_departments,
            linked=await uow.liaisons.count_linked(member.id),
            quota=quota,
            at=clock.now(),
            external_id=cmd.external_id,
        )
        await uow.liaisons.add(liaison, cipher)
        await uow.audit.record(principal, "create", [liaison.id], cmd.personal.present(), "linked")
        uow.record(events.liaison_linked(liaison, member, clock.now()))
        return liaison

    async def earlier(liaison_id: UUID) -> Liaison | None:
        return await uow.liaisons.get(liaison_id, principal.region_code, cipher)

    async with uow:
        # The member row lock makes the quota check and the insert one step per member.
        member = await _member(uow, principal, cmd.member_id, lock=True)
        domain.roster_sight(principal, member)
        domain.require_keeper(principal)
        liaison, created = await create_once(
            uow.idempotency,
            IdempotentRequest.of(principal.subject, idempotency_key, cmd.fingerprinted()),
            create=create,
            earlier=earlier,
            id_of=lambda liaison: liaison.id,
            not_found="liaison not found",
        )
        await uow.commit()
    return liaison, created


async def update_liaison(
    cmd: UpdateLiaison,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
) -> Liaison:
    domain.screen(principal)
    async with uow:
        liaison = await _liaison_to_change(uow, principal, cmd.liaison_id, cipher)
        updated, changed = domain.change_liaison(liaison, cmd.changes, at=clock.now())
        if changed:
            await uow.liaisons.save(updated, cipher)
            await uow.audit.record(principal, "update", [liaison.id], changed, "updated")
            uow.record(events.liaison_updated(updated, clock.now()))
            await uow.commit()
    return updated


async def unlink_liaison(
    cmd: UnlinkLiaison,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
) -> Liaison:
    domain.screen(principal)
    async with uow:
        liaison = await _liaison_to_change(uow, principal, cmd.liaison_id, cipher)
        unlinked = domain.unlink_liaison(liaison, at=clock.now())
        await uow.liaisons.save(unlinked, cipher)
        await uow.audit.record(principal, "unlink", [liaison.id], ["status"], "unlinked")
        uow.record(events.liaison_unlinked(unlinked, clock.now()))
        await uow.commit()
    return unlinked


async def report_circumstance(
    cmd: ReportCircumstance,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
) -> Circumstance:
    domain.screen(principal)
    async with uow:
        liaison = await _liaison(uow, principal, cmd.liaison_id, cipher)
        domain.sight(principal, liaison)
        domain.require_keeper(principal)
        member = await _member(uow, principal, liaison.member_id)
        report = domain.report_circumstance(
            new_id(), liaison, cmd.kind, cmd.summary, by=principal.subject, at=clock.now()
        )
        await uow.liaisons.add_circumstance(report)
        uow.record(events.circumstance_reported(report, liaison, member))
        await uow.commit()
    return report


async def _member(
    uow: MembersUnitOfWork, principal: Principal, member_id: UUID, *, lock: bool = False
) -> Member:
    member = await uow.members.get_in_scope(member_id, principal.region_code, lock=lock)
    if member is None:
        raise NotFound("member not found")
    return member


async def _liaison(
    uow: MembersUnitOfWork,
    principal: Principal,
    liaison_id: UUID,
    cipher: PiiCipher,
    *,
    lock: bool = False,
) -> Liaison:
    liaison = await uow.liaisons.get(liaison_id, principal.region_code, cipher, lock=lock)
    if liaison is None:
        raise NotFound("liaison not found")
    return liaison


async def _liaison_to_change(
    uow: MembersUnitOfWork, principal: Principal, liaison_id: UUID, cipher: PiiCipher
) -> Liaison:
    """Locked, seen by the caller, who keeps the roster."""
    liaison = await _liaison(uow, principal, liaison_id, cipher, lock=True)
    domain.sight(principal, liaison)
    domain.require_keeper(principal)
    return liaison
