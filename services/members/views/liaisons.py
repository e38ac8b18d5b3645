"""Reads of a member's unit, liaisons and their circumstance reports.

Every read of personal data in clear writes its audit row in the same transaction as the
read: no audit row, no data. Everyone but the owning member sees liaisons masked, unless an
office reveals one, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from uuid import UUID

from services.members.domain import liaisons as domain
from services.members.domain.liaisons import (
    Circumstance,
    GrassrootsUnit,
    Liaison,
    PersonalData,
    Sight,
)
from services.members.domain.members import Member
from services.members.pii import PiiCipher
from services.members.repository.liaisons import COLUMNS, from_row
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.errors import NotFound
from shared.regions import scope_prefix


@dataclass(frozen=True)
class LiaisonView:
    """A liaison as one caller may see it: `personal` is in clear only when `sight` is FULL."""

    liaison: Liaison
    sight: Sight

    @property
    def personal(self) -> PersonalData:
        p = self.liaison.personal
        return p if self.sight is Sight.FULL else p.masked()


def masked(liaison: Liaison) -> LiaisonView:
    """How a change is answered: the caller knows what it sent."""
    return LiaisonView(liaison, Sight.MASKED)


async def get_unit(
    member_id: UUID, *, principal: Principal, uow: MembersUnitOfWork
) -> GrassrootsUnit:
    domain.screen(principal)
    async with uow:
        member = await _member(uow, principal, member_id)
        domain.roster_sight(principal, member)
        unit = await uow.units.for_member(member.id)
    if unit is None:
        raise NotFound("the member has not linked a unit")
    return unit


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
            return masked(liaison)
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
        rows = await uow.connection.fetch(
            f"""SELECT {COLUMNS} FROM liaison
                WHERE member_id = $1 AND region_code LIKE $2 || '%'
                  AND ($3 OR status = 'linked') AND ($4::uuid IS NULL OR id > $4)
                ORDER BY id LIMIT $5""",
            member.id,
            scope_prefix(principal.region_code),
            include_unlinked,
            after,
            limit,
        )
        liaisons = [from_row(r, cipher) for r in rows]
        if seen is Sight.FULL and liaisons:
            await _audit_list_read(uow, principal, liaisons)
            await uow.commit()
    return [LiaisonView(liaison, seen) for liaison in liaisons]


async def list_circumstances(
    liaison_id: UUID, *, principal: Principal, uow: MembersUnitOfWork, cipher: PiiCipher
) -> list[Circumstance]:
    """Newest first."""
    domain.screen(principal)
    async with uow:
        liaison = await _liaison(uow, principal, liaison_id, cipher)
        domain.sight(principal, liaison)
        rows = await uow.connection.fetch(
            """SELECT id, liaison_id, member_id, kind, summary, reported_at, reported_by
               FROM liaison_circumstance WHERE liaison_id = $1
               ORDER BY reported_at DESC, id DESC""",
            liaison.id,
        )
    return [Circumstance(**dict(r)) for r in rows]


async def _member(uow: MembersUnitOfWork, principal: Principal, member_id: UUID) -> Member:
    member = await uow.members.get_in_scope(member_id, principal.region_code)
    if member is None:
        raise NotFound("member not found")
    return member


async def _liaison(
    uow: MembersUnitOfWork, principal: Principal, liaison_id: UUID, cipher: PiiCipher
) -> Liaison:
    liaison = await uow.liaisons.get(liaison_id, principal.region_code, cipher)
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
