"""Recording a contact (走访): by the member, or by staff on the member's behalf."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from services.visits import events
from services.visits.commands import RecordVisit
from services.visits.domain import visits as domain
from services.visits.domain.visits import ContactRecord
from services.visits.handlers.obligations import local_today
from services.visits.handlers.submissions import raise_in_visit
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import STAFF_ROLES, Principal, Role
from shared.db.idempotency import IdempotentRequest, create_once
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.kernel import Clock, new_id


async def record_visit(
    cmd: RecordVisit,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    timezone: str,
    idempotency_key: str | None = None,
) -> tuple[ContactRecord, bool]:
    """ "Whoever organises it records it": the member, or staff whose region holds the member.

    Returns (record, created); a replayed Idempotency-Key returns the first record.
    """
    _may_record_for(principal, cmd.member_id)
    # The fingerprint hashes the command's own fields (raised concerns by their repr), as keys
    # stored before commands were dataclasses all the way down were hashed.
    request = IdempotentRequest.of(principal.subject, idempotency_key, cmd.__dict__)

    async def create() -> ContactRecord:
        return await _record(cmd, principal=principal, uow=uow, clock=clock, timezone=timezone)

    async with uow:
        record, created = await create_once(
            uow.idempotency,
            request,
            create=create,
            earlier=uow.visits.get,
            id_of=lambda r: r.id,
            not_found="contact record not found",
        )
        if created:
            await uow.commit()
    return record, created


async def _record(
    cmd: RecordVisit, *, principal: Principal, uow: VisitsUnitOfWork, clock: Clock, timezone: str
) -> ContactRecord:
    member = await uow.roster.member(cmd.member_id)
    if member is None or not principal.can_see_region(member.region_code):
        raise NotFound("member not found")
    if member.status == "retired":
        raise InvalidInput("the member has retired")
    record = await _build(cmd, member.region_code, member.sector_code, principal, uow, clock)
    domain.check_record(record, today=local_today(clock, timezone))
    await _check_place_and_liaisons(record, member.unit_id, uow)
    owed = await uow.obligations.owed_by(cmd.member_id)
    fulfilled = domain.obligations_fulfilled(record, owed, cmd.obligation_ids)
    record = replace(record, fulfilled_obligation_ids=[o.id for o in fulfilled])
    await uow.visits.add(record)
    done = await uow.obligations.fulfil(
        [o.id for o in fulfilled],
        visit_id=record.id,
        fulfilled_on=record.occurred_on,
        at=record.recorded_at,
    )
    uow.record(events.visit_recorded(record))
    uow.record(*(events.obligation_fulfilled(o, record.recorded_at) for o in done))
    await raise_in_visit(record, cmd.concerns, uow)
    return record


def _may_record_for(principal: Principal, member_id: UUID) -> None:
    if principal.role is Role.MEMBER:
        if principal.member_id != member_id:
            raise Forbidden("members record their own contacts")
    elif principal.role not in STAFF_ROLES:
        raise Forbidden(f"role {principal.role.value} may not record contacts")


async def _build(
    cmd: RecordVisit,
    region_code: str,
    sector_code: str,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
) -> ContactRecord:
    place_name = None
    if cmd.place_kind == "workstation" and cmd.place_id is not None:
        place_name = await uow.roster.open_workstation_name(cmd.place_id)
    return ContactRecord(
        id=new_id(),
        member_id=cmd.member_id,
        region_code=region_code,
        sector_code=sector_code,
        channel=cmd.channel,
        occasion=cmd.occasion,
        occurred_on=cmd.occurred_on,
        place_kind=cmd.place_kind,
        place_id=cmd.place_id,
        place_name=place_name,
        liaison_ids=cmd.liaison_ids,
        people_reached=cmd.people_reached,
        heart_to_heart_talks=cmd.heart_to_heart_talks,
        summary=cmd.summary.strip(),
        evidence=cmd.evidence,
        recorded_by=principal.subject,
        recorded_by_role=principal.role.value,
        recorded_at=clock.now(),
    )


async def _check_place_and_liaisons(
    record: ContactRecord, unit_id: UUID | None, uow: VisitsUnitOfWork
) -> None:
    if record.place_kind == "unit" and (record.place_id is None or record.place_id != unit_id):
        raise InvalidInput("place_id is not the member's grassroots unit")
    if record.place_kind == "workstation" and record.place_name is None:
        raise InvalidInput("place_id is not an open workstation")
    if record.liaison_ids:
        linked = await uow.roster.linked_liaisons(record.member_id)
        unknown = [str(i) for i in record.liaison_ids if i not in linked]
        if unknown:
            raise InvalidInput(f"not the member's liaisons: {', '.join(unknown)}")
