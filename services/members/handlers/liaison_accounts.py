"""A liaison's own account: linked by their member or an office, then the liaison signs in as a
constituent and reports their own life change, request or hardship (八必访 nos. 5-7).

The report is the same as one a member or an office makes for them: it opens the member's
must-visit obligation through the same event. `reported_by` is the liaison's own subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from services.members import events
from services.members.domain import liaisons as domain
from services.members.domain.accounts import require_own_liaison_voice
from services.members.domain.liaisons import Circumstance, LiaisonStatus
from services.members.pii import PiiCipher
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.contracts.members import CircumstanceKind
from shared.errors import Conflict, InvalidInput, NotFound
from shared.kernel import Clock, new_id


@dataclass(frozen=True)
class LinkLiaisonAccount:
    liaison_id: UUID
    subject: str | None  # None: unlink


@dataclass(frozen=True)
class ReportOwnCircumstance:
    kind: CircumstanceKind
    summary: str


async def link_liaison_account(
    cmd: LinkLiaisonAccount, *, principal: Principal, uow: MembersUnitOfWork, cipher: PiiCipher
) -> None:
    subject = cmd.subject.strip() if cmd.subject is not None else None
    if subject is not None and not subject:
        raise InvalidInput("subject must not be blank")
    domain.screen(principal)
    async with uow:
        liaison = await uow.liaisons.get(cmd.liaison_id, principal.region_code, cipher, lock=True)
        if liaison is None:
            raise NotFound("liaison not found")
        domain.sight(principal, liaison)
        domain.require_keeper(principal)
        if subject is not None and liaison.status is LiaisonStatus.UNLINKED:
            raise Conflict("only a linked liaison's account can be linked")
        if await uow.accounts.liaison_account(liaison.id) == subject:
            return
        await uow.accounts.link_liaison(liaison.id, subject)
        action = "account linked" if subject else "account unlinked"
        await uow.audit.record(principal, "update", [liaison.id], ["account"], action)
        await uow.commit()


async def own_liaison(*, principal: Principal, uow: MembersUnitOfWork) -> UUID:
    """The liaison the signed-in constituent speaks for (404 when none)."""
    require_own_liaison_voice(principal)
    async with uow:
        return await _own_liaison_id(uow, principal)


async def report_own_circumstance(
    cmd: ReportOwnCircumstance,
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    cipher: PiiCipher,
    clock: Clock,
) -> Circumstance:
    require_own_liaison_voice(principal)
    async with uow:
        liaison_id = await _own_liaison_id(uow, principal)
        liaison = await uow.liaisons.get(liaison_id, principal.region_code, cipher)
        if liaison is None:
            raise NotFound("no liaison is linked to this account")
        member = await uow.members.get_in_scope(liaison.member_id, principal.region_code)
        if member is None:
            raise NotFound("no liaison is linked to this account")
        report = domain.report_circumstance(
            new_id(), liaison, cmd.kind, cmd.summary, by=principal.subject, at=clock.now()
        )
        await uow.liaisons.add_circumstance(report)
        uow.record(events.circumstance_reported(report, liaison, member))
        await uow.commit()
    return report


async def _own_liaison_id(uow: MembersUnitOfWork, principal: Principal) -> UUID:
    found = await uow.accounts.liaison_of(principal.subject, principal.region_code)
    if found is None:
        raise NotFound("no liaison is linked to this account")
    return found
