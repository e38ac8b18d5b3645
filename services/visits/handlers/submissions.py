"""Concerns joining a member's duty list (履职清单): raised in a contact record, or submitted
online by a constituent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from services.visits.commands import RaisedConcern, SubmitConcernOnline
from services.visits.domain import concerns as domain
from services.visits.domain.concerns import Concern
from services.visits.domain.visits import ContactRecord
from services.visits.handlers.concerns import apply_change
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Principal, Role
from shared.db.idempotency import IdempotentRequest, create_once
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.kernel import Clock, new_id


async def raise_in_visit(
    record: ContactRecord, raised: Sequence[RaisedConcern], uow: VisitsUnitOfWork
) -> list[Concern]:
    """Inside the contact record's transaction: its concerns join the member's duty list."""
    if not raised:
        return []
    linked = await uow.roster.linked_liaisons(record.member_id)
    if any(r.liaison_id is not None and r.liaison_id not in linked for r in raised):
        raise InvalidInput("a concern names a liaison who is not the member's")
    added = []
    for r in raised:
        concern = Concern(
            **_draft(record.member_id, record.region_code, record.sector_code, r),
            source="contact_record",
            visit_id=record.id,
            liaison_id=r.liaison_id,
            submitted_by=record.recorded_by,
            submitted_by_role=record.recorded_by_role,
            consent_to_share_identity=False,  # a liaison's consent lives in the roster
            submitted_at=record.recorded_at,
        )
        change = domain.submit(concern)
        by, role, at = record.recorded_by, record.recorded_by_role, record.recorded_at
        await apply_change(uow, change, by, role, at)
        added.append(change.concern)
    return added


async def submit_online(
    cmd: SubmitConcernOnline,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Concern, bool]:
    """A constituent addresses an active member of their area; (concern, created)."""
    if principal.role is not Role.CONSTITUENT:
        raise Forbidden("only constituents submit concerns online")
    request = IdempotentRequest.of(principal.subject, idempotency_key, cmd.__dict__)

    async def create() -> Concern:
        return await _submit_online(cmd, principal=principal, uow=uow, clock=clock)

    async def earlier(concern_id: UUID) -> Concern | None:
        return (await uow.concerns.lock([concern_id])).get(concern_id)

    async with uow:
        concern, created = await create_once(
            uow.idempotency, request, create=create, earlier=earlier, id_of=lambda c: c.id
        )
        if created:
            await uow.commit()
    return concern, created


async def _submit_online(
    cmd: SubmitConcernOnline, *, principal: Principal, uow: VisitsUnitOfWork, clock: Clock
) -> Concern:
    member = await uow.roster.member(cmd.member_id)
    if member is None or not principal.can_see_region(member.region_code):
        raise NotFound("member not found")
    if member.status != "active":
        raise InvalidInput("the member is not active")
    concern = Concern(
        **_draft(member.member_id, member.region_code, member.sector_code, cmd),
        source="online",
        visit_id=None,
        liaison_id=None,
        submitted_by=principal.subject,
        submitted_by_role=principal.role.value,
        consent_to_share_identity=cmd.consent_to_share_identity,
        submitted_at=clock.now(),
    )
    change = domain.submit(concern)
    await apply_change(uow, change, principal.subject, principal.role.value, concern.submitted_at)
    return change.concern


def _draft(
    member_id: UUID, region_code: str, sector_code: str, given: RaisedConcern | SubmitConcernOnline
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "member_id": member_id,
        "region_code": region_code,
        "sector_code": sector_code,
        "kind": given.kind,
        "title": given.title.strip(),
        "body": given.body.strip(),
    }
