"""Concern use cases (问题清单 → 履职清单): put on a member's duty list, moved along its lifecycle
under a row lock, read back in the view each caller is entitled to.

Checks run in one order: a concern the caller may not see is 404; a step its state does not
allow is 409; a step the caller's role may not take is 403. Every step writes its history row
and its event in the same transaction. Concern bodies and replies are never logged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.visits import events
from services.visits.domain import concerns as domain
from services.visits.domain.concerns import Action, Change, Concern, Submitter
from services.visits.domain.visits import ContactRecord
from services.visits.handlers.bridge import assignment_payload
from services.visits.handlers.obligations import local_today
from services.visits.repository import concerns as concern_views
from services.visits.repository.concerns import ConcernRecord, Round
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Principal, Role
from shared.db.idempotency import request_fingerprint
from shared.db.pool import DbConnection
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kernel import Clock, new_id

PLATFORM_ACTOR = "disposal-platform"


@dataclass(frozen=True)
class RaisedConcern:
    """A concern raised in a contact record, optionally by one of the member's liaisons."""

    kind: str
    title: str
    body: str
    liaison_id: UUID | None = None


@dataclass(frozen=True)
class SubmitOnline:
    member_id: UUID
    kind: str
    title: str
    body: str
    consent_to_share_identity: bool


@dataclass(frozen=True)
class PlatformReply:
    concern_id: UUID
    round: int
    department_code: str
    reply: str


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
        await _apply(uow, change, record.recorded_by, record.recorded_by_role, record.recorded_at)
        added.append(change.concern)
    return added


async def submit_online(
    cmd: SubmitOnline,
    *,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: Clock,
    idempotency_key: str | None = None,
) -> tuple[Concern, bool]:
    """A constituent addresses an active member of their area; (concern, created)."""
    if principal.role is not Role.CONSTITUENT:
        raise Forbidden("only constituents submit concerns online")
    async with uow:
        if idempotency_key:
            fingerprint = request_fingerprint(cmd.__dict__)
            earlier = await uow.idempotency.claim(principal.subject, idempotency_key, fingerprint)
            if earlier is not None:
                found = await uow.concerns.lock([UUID(earlier)])
                return found[UUID(earlier)], False
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
        await _apply(uow, change, principal.subject, principal.role.value, concern.submitted_at)
        if idempotency_key:
            await uow.idempotency.remember(principal.subject, idempotency_key, str(concern.id))
        await uow.commit()
    return change.concern, True


def _draft(
    member_id: UUID, region_code: str, sector_code: str, given: RaisedConcern | SubmitOnline
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


# The lifecycle. Each use case decides under the row lock, then writes rows, history, events.

Decide = Callable[[Concern], Change]
After = Callable[[Change, datetime], Awaitable[None]]  # more rows in the same transaction


@dataclass(frozen=True)
class Caller:
    principal: Principal
    uow: VisitsUnitOfWork
    clock: Clock
    timezone: str


async def accept(concern_id: UUID, caller: Caller) -> Concern:
    return await _move(concern_id, Action.ACCEPT, domain.accept, caller)


async def reject(concern_id: UUID, reason: str | None, caller: Caller) -> Concern:
    return await _move(concern_id, Action.REJECT, lambda c: domain.reject(c, reason), caller)


async def assign(concern_id: UUID, department_code: str, due_on: date, caller: Caller) -> Concern:
    """交办: a new round for the department, and its dispatch to the platform, in one go."""
    today = local_today(caller.clock, caller.timezone)
    uow = caller.uow

    async def after(change: Change, at: datetime) -> None:
        c = change.concern
        await uow.concerns.open_round(c, at)
        payload = assignment_payload(c, await uow.concerns.liaison(c.liaison_id), at)
        await uow.dispatches.add(
            dispatch_id=new_id(),
            concern_id=c.id,
            round_=c.round,
            region_code=c.region_code,
            department_code=department_code,
            payload=payload,
        )

    def decide(c: Concern) -> Change:
        return domain.assign(c, department_code, due_on, today=today)

    return await _move(concern_id, Action.ASSIGN, decide, caller, after)


async def reply(concern_id: UUID, text: str, caller: Caller) -> Concern:
    """办复 by the department itself, through the API."""
    today = local_today(caller.clock, caller.timezone)

    async def after(change: Change, at: datetime) -> None:
        await caller.uow.concerns.record_reply(
            change.concern, reply=text.strip(), replied_on=today, via="department", at=at
        )

    return await _move(
        concern_id, Action.REPLY, lambda c: domain.reply(c, replied_on=today), caller, after
    )


async def rate(concern_id: UUID, satisfaction: int, resolved: bool, caller: Caller) -> Concern:
    async def after(change: Change, at: datetime) -> None:
        await caller.uow.concerns.record_rating(
            change.concern, satisfaction=satisfaction, resolved=resolved, at=at
        )

    def decide(c: Concern) -> Change:
        return domain.rate(c, satisfaction=satisfaction, resolved=resolved)

    return await _move(concern_id, Action.RATE, decide, caller, after)


async def upgrade(concern_id: UUID, to: str, reference: str, caller: Caller) -> Concern:
    def decide(c: Concern) -> Change:
        return domain.upgrade(c, to=to, reference=reference.strip())

    return await _move(concern_id, Action.UPGRADE, decide, caller)


async def merge(concern_id: UUID, into: UUID, caller: Caller) -> Concern:
    """The duplicate ends as merged; the concern it joins carries on. Both rows are locked."""
    uow, principal = caller.uow, caller.principal
    async with uow:
        locked = await uow.concerns.lock([concern_id, into])
        concern = await _allowed(locked.get(concern_id), Action.MERGE, principal, uow)
        target = locked.get(into)
        if target is None or not await _visible(target, principal, uow):
            raise InvalidInput("merge target is not on the same member's duty list")
        change = domain.merge(concern, target)
        await _apply(uow, change, principal.subject, principal.role.value, caller.clock.now())
        await uow.commit()
    return change.concern


async def _move(
    concern_id: UUID, action: Action, decide: Decide, caller: Caller, after: After | None = None
) -> Concern:
    uow, principal = caller.uow, caller.principal
    async with uow:
        locked = await uow.concerns.lock([concern_id])
        concern = await _allowed(locked.get(concern_id), action, principal, uow)
        change, at = decide(concern), caller.clock.now()
        if after is not None:
            await after(change, at)
        await _apply(uow, change, principal.subject, principal.role.value, at)
        await uow.commit()
    return change.concern


async def _allowed(
    concern: Concern | None, action: Action, principal: Principal, uow: VisitsUnitOfWork
) -> Concern:
    if concern is None or not await _visible(concern, principal, uow):
        raise NotFound("concern not found")
    domain.require_state(concern, action)
    if not domain.may(principal, action, concern):
        raise Forbidden(f"role {principal.role.value} may not {action.value} this concern")
    return concern


async def _visible(concern: Concern, principal: Principal, uow: VisitsUnitOfWork) -> bool:
    departments = (
        await uow.concerns.departments(concern.id) if principal.role is Role.DEPARTMENT else ()
    )
    return domain.visible(principal, concern, departments)


async def _apply(
    uow: VisitsUnitOfWork, change: Change, actor: str, actor_role: str, at: datetime
) -> None:
    c = change.concern
    if change.steps[0].action is Action.SUBMIT:
        await uow.concerns.add(c, at)
    else:
        await uow.concerns.save(c, at)
    await uow.concerns.add_steps(c.id, change.steps, actor=actor, actor_role=actor_role, at=at)
    uow.record(*events.concern_events(c, change.steps, at))


async def receive_platform_reply(
    cmd: PlatformReply, *, uow: VisitsUnitOfWork, clock: Clock, timezone: str
) -> bool:
    """办复 through the disposal platform. A round has one reply: a repeat delivery (the
    platform retrying, or answering twice) is recognised and changes nothing (False)."""
    today, at = local_today(clock, timezone), clock.now()
    async with uow:
        concern = (await uow.concerns.lock([cmd.concern_id])).get(cmd.concern_id)
        if concern is None:
            raise NotFound("no such concern assignment")
        replied = await uow.concerns.round_replied(concern.id, cmd.round)
        if replied is None:
            raise NotFound("no such concern assignment")
        if replied:
            return False
        if concern.department_code != cmd.department_code:
            raise Conflict("this round is assigned to another department")
        change = domain.reply(concern, replied_on=today)
        await uow.concerns.record_reply(
            concern, reply=cmd.reply.strip(), replied_on=today, via="disposal_platform", at=at
        )
        await _apply(uow, change, PLATFORM_ACTOR, "disposal_platform", at)
        await uow.commit()
    return True


# Reads: the same visibility rule as the writes; departments see no identity without consent.


@dataclass(frozen=True)
class ConcernView:
    concern: Concern
    visit_id: UUID | None
    submitter: Submitter | None
    rounds: list[Round]
    updated_at: datetime


def present(record: ConcernRecord, viewer: Principal) -> ConcernView:
    department = viewer.role is Role.DEPARTMENT
    c = record.concern
    return ConcernView(
        concern=c,
        visit_id=None if department else c.visit_id,
        submitter=domain.submitter(c, record.liaison, for_department=department),
        rounds=[r for r in record.rounds if not department or r.department_code == viewer.subject],
        updated_at=record.updated_at,
    )


async def view(conn: DbConnection, concern_id: UUID, viewer: Principal) -> ConcernView:
    record = await concern_views.read(conn, concern_id)
    if record is None or not domain.visible(viewer, record.concern, record.departments):
        raise NotFound("concern not found")
    return present(record, viewer)


async def page(
    conn: DbConnection,
    viewer: Principal,
    *,
    member_id: UUID | None,
    statuses: list[str] | None,
    kind: str | None,
    visit_id: UUID | None,
    after: UUID | None,
    limit: int,
) -> list[ConcernView]:
    scope = domain.read_scope(viewer, member_id=member_id)
    if scope is None:
        raise Forbidden(f"role {viewer.role.value} may not read concerns")
    records = await concern_views.page(
        conn, scope, statuses=statuses, kind=kind, visit_id=visit_id, after=after, limit=limit
    )
    return [present(r, viewer) for r in records]


async def history(conn: DbConnection, concern_id: UUID, viewer: Principal) -> list[dict[str, Any]]:
    """Departments and constituents see what happened, not who did it; departments also not
    the notes written for the submitter."""
    await view(conn, concern_id, viewer)
    rows = await concern_views.history(conn, concern_id)
    if viewer.role is Role.DEPARTMENT:
        return [{**r, "actor": None, "note": None} for r in rows]
    if viewer.role is Role.CONSTITUENT:
        return [{**r, "actor": None} for r in rows]
    return rows
