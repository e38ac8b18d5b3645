"""Liaison use cases: link, read, list, change, unlink, and report circumstances (八必访 5-7).

Every read of personal data in clear and every change writes its audit row in the same
transaction as the read or change: no audit row, no data.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from uuid import UUID

from services.members.domain import liaisons as domain
from services.members.domain.liaisons import (
    Circumstance,
    Liaison,
    LiaisonChanges,
    PersonalData,
    Sight,
)
from services.members.domain.members import LiaisonQuota, Member
from services.members.pii import PiiCipher
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.contracts.members import (
    CircumstanceKind,
    CircumstanceReportedV1,
    LiaisonLinkedV1,
    LiaisonUnlinkedV1,
    LiaisonUpdatedV1,
)
from shared.db.idempotency import request_fingerprint
from shared.errors import NotFound
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class LiaisonView:
    """A liaison as one caller may see it: `personal` is in clear only when `sight` is FULL."""

    liaison: Liaison
    sight: Sight

    @property
    def personal(self) -> PersonalData:
        p = self.liaison.personal
        return p if self.sight is Sight.FULL else p.masked()


@dataclass(frozen=True)
class NewLiaison:
    personal: PersonalData
    consent_to_departments: bool = False
    external_id: str | None = None

    def fingerprint(self, member_id: UUID) -> str:
        """What a retry must repeat. Built from masked forms: an unsalted hash of a phone
        number is no secret, so none is stored beside the idempotency key."""
        masked = self.personal.masked()
        return request_fingerprint(
            [str(member_id), masked.__dict__, self.consent_to_departments, self.external_id]
        )


async def link_liaison(
    member_id: UUID,
    new: NewLiaison,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
    quota: LiaisonQuota,
    idempotency_key: str | None = None,
) -> tuple[LiaisonView, bool]:
    """The new liaison (masked: the caller knows what it sent) and whether it was created now."""
    domain.screen(principal)
    async with uow:
        # The member row lock makes the quota check and the insert one step per member.
        member = await _member(uow, principal, member_id, lock=True)
        domain.roster_sight(principal, member)
        domain.require_keeper(principal)
        if idempotency_key:
            fingerprint = new.fingerprint(member.id)
            earlier = await uow.idempotency.claim(principal.subject, idempotency_key, fingerprint)
            if earlier is not None:
                existing = await _liaison(uow, principal, UUID(earlier), cipher)
                return LiaisonView(existing, Sight.MASKED), False
        liaison = domain.link_liaison(
            new_id(),
            member,
            new.personal,
            consent_to_departments=new.consent_to_departments,
            linked=await uow.liaisons.count_linked(member.id),
            quota=quota,
            at=clock.now(),
            external_id=new.external_id,
        )
        await uow.liaisons.add(liaison, cipher)
        await uow.audit.record(principal, "create", [liaison.id], new.personal.present(), "linked")
        if idempotency_key:
            await uow.idempotency.remember(principal.subject, idempotency_key, str(liaison.id))
        uow.record(_linked(liaison, member, clock))
        await uow.commit()
    return LiaisonView(liaison, Sight.MASKED), True


async def get_liaison(
    liaison_id: UUID,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    reveal: bool = False,
    reason: str | None = None,
) -> LiaisonView:
    """Owners read in clear; offices read masked unless they reveal, with a reason."""
    domain.screen(principal)
    async with uow:
        liaison = await _liaison(uow, principal, liaison_id, cipher)
        seen = domain.sight(principal, liaison)
        if seen is Sight.FULL:
            action, why = "read", "own liaison"
        elif reveal:
            domain.may_reveal(principal)
            action, why = "reveal", domain.reveal_reason(reason)
        else:
            return LiaisonView(liaison, Sight.MASKED)
        await uow.audit.record(principal, action, [liaison.id], liaison.personal.present(), why)
        await uow.commit()
    return LiaisonView(liaison, Sight.FULL)


async def list_liaisons(
    member_id: UUID,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    include_unlinked: bool = False,
    after: UUID | None = None,
    limit: int = 100,
) -> list[LiaisonView]:
    """Masked for everyone but the owning member, whose list read is audited per liaison."""
    domain.screen(principal)
    async with uow:
        member = await _member(uow, principal, member_id)
        seen = domain.roster_sight(principal, member)
        liaisons = await uow.liaisons.list_for_member(
            member.id,
            principal.region_code,
            cipher,
            include_unlinked=include_unlinked,
            after=after,
            limit=limit,
        )
        if seen is Sight.FULL and liaisons:
            await _audit_list_read(uow, principal, liaisons)
            await uow.commit()
    return [LiaisonView(liaison, seen) for liaison in liaisons]


async def update_liaison(
    liaison_id: UUID,
    changes: LiaisonChanges,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
) -> LiaisonView:
    domain.screen(principal)
    async with uow:
        liaison = await _liaison(uow, principal, liaison_id, cipher, lock=True)
        domain.sight(principal, liaison)
        domain.require_keeper(principal)
        updated, changed = domain.change_liaison(liaison, changes, at=clock.now())
        if changed:
            await uow.liaisons.save(updated, cipher)
            await uow.audit.record(principal, "update", [liaison.id], changed, "updated")
            uow.record(_updated(updated, clock))
            await uow.commit()
    return LiaisonView(updated, Sight.MASKED)


async def unlink_liaison(
    liaison_id: UUID,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
) -> LiaisonView:
    domain.screen(principal)
    async with uow:
        liaison = await _liaison(uow, principal, liaison_id, cipher, lock=True)
        domain.sight(principal, liaison)
        domain.require_keeper(principal)
        unlinked = domain.unlink_liaison(liaison, at=clock.now())
        await uow.liaisons.save(unlinked, cipher)
        await uow.audit.record(principal, "unlink", [liaison.id], ["status"], "unlinked")
        uow.record(_unlinked(unlinked, clock))
        await uow.commit()
    return LiaisonView(unlinked, Sight.MASKED)


async def report_circumstance(
    liaison_id: UUID,
    kind: CircumstanceKind,
    summary: str,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
) -> Circumstance:
    domain.screen(principal)
    async with uow:
        liaison = await _liaison(uow, principal, liaison_id, cipher)
        domain.sight(principal, liaison)
        domain.require_keeper(principal)
        member = await _member(uow, principal, liaison.member_id)
        report = domain.report_circumstance(
            new_id(), liaison, kind, summary, by=principal.subject, at=clock.now()
        )
        await uow.liaisons.add_circumstance(report)
        uow.record(_reported(report, liaison, member))
        await uow.commit()
    return report


async def list_circumstances(
    liaison_id: UUID, *, principal: Principal, uow: MembersUnitOfWork, cipher: PiiCipher
) -> list[Circumstance]:
    domain.screen(principal)
    async with uow:
        liaison = await _liaison(uow, principal, liaison_id, cipher)
        domain.sight(principal, liaison)
        return await uow.liaisons.circumstances(liaison.id)


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


async def _audit_list_read(
    uow: MembersUnitOfWork, principal: Principal, liaisons: list[Liaison]
) -> None:
    """One row per liaison shown, each naming the fields it really disclosed."""
    by_fields = sorted(liaisons, key=lambda item: item.personal.present())
    for fields, group in groupby(by_fields, key=lambda item: item.personal.present()):
        ids = [liaison.id for liaison in group]
        await uow.audit.record(principal, "read", ids, fields, "own liaisons listed")


def _linked(liaison: Liaison, member: Member, clock: Clock) -> LiaisonLinkedV1:
    return LiaisonLinkedV1(
        occurred_at=clock.now(),
        region_code=liaison.region_code,
        liaison_id=liaison.id,
        member_id=liaison.member_id,
        display_name=liaison.display_name,
        sector_code=member.sector_code,
        consent_to_departments=liaison.consent_to_departments,
    )


def _updated(liaison: Liaison, clock: Clock) -> LiaisonUpdatedV1:
    return LiaisonUpdatedV1(
        occurred_at=clock.now(),
        region_code=liaison.region_code,
        liaison_id=liaison.id,
        member_id=liaison.member_id,
        display_name=liaison.display_name,
        consent_to_departments=liaison.consent_to_departments,
    )


def _unlinked(liaison: Liaison, clock: Clock) -> LiaisonUnlinkedV1:
    return LiaisonUnlinkedV1(
        occurred_at=clock.now(),
        region_code=liaison.region_code,
        liaison_id=liaison.id,
        member_id=liaison.member_id,
    )


def _reported(report: Circumstance, liaison: Liaison, member: Member) -> CircumstanceReportedV1:
    """No summary: what a liaison told their member stays in the members service."""
    return CircumstanceReportedV1(
        occurred_at=report.reported_at,
        region_code=liaison.region_code,
        liaison_id=liaison.id,
        member_id=liaison.member_id,
        report_id=report.id,
        kind=report.kind,
        sector_code=member.sector_code,
        display_name=liaison.display_name,
    )
