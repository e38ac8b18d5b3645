"""Visits HTTP endpoints: concerns (问题/建议/诉求/微建议) and their lifecycle.

Department tokens: role `department`, subject = the department code concerns are assigned to.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.visits.api.deps import Deps, DepsDep
from services.visits.commands import (
    AcceptConcern,
    AssignConcern,
    MergeConcern,
    RateConcern,
    RejectConcern,
    ReplyToConcern,
    SubmitConcernOnline,
    UpgradeConcern,
)
from services.visits.domain.concerns import Status
from services.visits.handlers import concerns as use
from services.visits.handlers.concerns import ConcernStep
from services.visits.handlers.submissions import submit_online as submit_concern_online
from services.visits.views import concerns as views
from services.visits.views.concerns import ConcernView
from shared.auth import Principal
from shared.contracts.visits import ConcernKind, UpgradeTarget
from shared.web.params import IdempotencyKey, answer_created
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["concerns"])
C = TypeVar("C")

# Postgres text cannot hold NUL: refusing it here makes it a 422, not a 500.
_NO_NUL = r"^[^\x00]*$"
# Required text: no NUL and at least one visible character (the server strips the blanks, so
# the document must refuse what is only blanks, not just the empty string).
_SOME_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_SOME_TEXT)
]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=_SOME_TEXT)
]
DepartmentCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RaisedConcernIn(_In):
    """A concern raised during a contact, optionally by one of the member's liaisons."""

    kind: ConcernKind
    title: Title
    body: Text
    liaison_id: UUID | None = None


class OnlineConcernIn(_In):
    member_id: Annotated[UUID, Field(description="the committee member addressed")]
    kind: ConcernKind
    title: Title
    body: Text
    consent_to_share_identity: Annotated[
        bool, Field(description="may the handling department learn who you are")
    ] = False


class RejectIn(_In):
    reason: Annotated[str | None, StringConstraints(max_length=500, pattern=_NO_NUL)] = None


class MergeIn(_In):
    into: Annotated[UUID, Field(description="the earlier concern of the same member")]


class AssignIn(_In):
    department_code: DepartmentCode
    due_on: date


class ReplyIn(_In):
    reply: Text


class RateIn(_In):
    satisfaction: Annotated[int, Field(ge=1, le=5)]
    resolved: bool


class UpgradeIn(_In):
    to: UpgradeTarget
    reference: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=_SOME_TEXT),
    ]


class SubmitterOut(BaseModel):
    liaison_id: UUID | None
    display_name: str | None
    constituent: str | None


class RoundOut(BaseModel):
    round: int
    department_code: str
    department_name: str | None = Field(description="承办单位 as people read it")
    due_on: date
    assigned_at: datetime
    reply: str | None
    replied_on: date | None
    replied_via: str | None
    satisfaction: int | None
    resolved: bool | None


class ConcernOut(BaseModel):
    id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    kind: str
    source: str
    title: str
    body: str
    visit_id: UUID | None
    status: Status
    round: int
    department_code: str | None
    department_name: str | None = Field(description="承办单位 as people read it")
    due_on: date | None
    merged_into: UUID | None
    upgraded_to: str | None
    upgrade_reference: str | None
    submitted_at: datetime
    updated_at: datetime
    submitter: SubmitterOut | None
    rounds: list[RoundOut]


class ConcernPage(BaseModel):
    items: list[ConcernOut]
    next_cursor: UUID | None


class TransitionOut(BaseModel):
    round: int
    action: str
    from_status: str | None
    to_status: str
    actor: str | None
    actor_role: str
    at: datetime
    detail: dict[str, Any]
    note: str | None


def _out(v: ConcernView) -> ConcernOut:
    values = {k: getattr(v.concern, k) for k in ConcernOut.model_fields if hasattr(v.concern, k)}
    values.update(
        visit_id=v.visit_id,
        updated_at=v.updated_at,
        department_name=v.department_name,
        submitter=SubmitterOut(**v.submitter.__dict__) if v.submitter else None,
        rounds=[RoundOut(**r.__dict__) for r in v.rounds],
    )
    return ConcernOut.model_validate(values)


async def _read(deps: Deps, concern_id: UUID, principal: Principal) -> ConcernOut:
    async with deps.pool.acquire() as conn:
        return _out(await views.view(conn, concern_id, principal))


async def _step(step: ConcernStep[C], cmd: C, principal: Principal, deps: Deps) -> ConcernOut:
    """Run one lifecycle use case, then answer with the concern as the caller may see it."""
    concern = await step(
        cmd, principal=principal, uow=deps.uow(), clock=deps.clock, timezone=deps.settings.timezone
    )
    return await _read(deps, concern.id, principal)


@router.post("/concerns/online", status_code=201, summary="A constituent addresses a member")
async def submit_online(
    body: OnlineConcernIn,
    principal: CurrentPrincipal,
    deps: DepsDep,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> ConcernOut:
    concern, created = await submit_concern_online(
        SubmitConcernOnline(**body.model_dump()),
        principal=principal,
        uow=deps.uow(),
        clock=deps.clock,
        idempotency_key=idempotency_key,
    )
    answer_created(response, f"/v1/concerns/{concern.id}", created=created)
    return await _read(deps, concern.id, principal)


@router.get("/concerns", summary="Concerns you may see: your duty list, region, or submissions")
async def list_concerns(
    principal: CurrentPrincipal,
    deps: DepsDep,
    status: Annotated[list[Status] | None, Query()] = None,
    kind: Annotated[ConcernKind | None, Query()] = None,
    member_id: Annotated[UUID | None, Query(description="staff: one member's list")] = None,
    visit_id: Annotated[UUID | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ConcernPage:
    async with deps.pool.acquire() as conn:
        found = await views.page(
            conn,
            principal,
            member_id=member_id,
            statuses=[s.value for s in status] if status else None,
            kind=kind,
            visit_id=visit_id,
            after=after,
            limit=limit,
        )
    items = [_out(v) for v in found]
    return ConcernPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.get("/concerns/{concern_id}", summary="One concern")
async def get_concern(concern_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> ConcernOut:
    return await _read(deps, concern_id, principal)


@router.get("/concerns/{concern_id}/history", summary="Every transition of one concern, in order")
async def concern_history(
    concern_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> list[TransitionOut]:
    async with deps.pool.acquire() as conn:
        rows = await views.history(conn, concern_id, principal)
    return [TransitionOut.model_validate(r) for r in rows]


@router.post("/concerns/{concern_id}/accept", summary="Accept onto the duty list")
async def accept(concern_id: UUID, principal: CurrentPrincipal, deps: DepsDep) -> ConcernOut:
    return await _step(use.accept, AcceptConcern(concern_id), principal, deps)


@router.post("/concerns/{concern_id}/reject", summary="Reject (with a reason for the submitter)")
async def reject(
    concern_id: UUID, principal: CurrentPrincipal, deps: DepsDep, body: RejectIn | None = None
) -> ConcernOut:
    reason = body.reason.strip() if body and body.reason else None
    return await _step(use.reject, RejectConcern(concern_id, reason or None), principal, deps)


@router.post("/concerns/{concern_id}/merge", summary="Merge a duplicate into an earlier concern")
async def merge(
    concern_id: UUID, body: MergeIn, principal: CurrentPrincipal, deps: DepsDep
) -> ConcernOut:
    return await _step(use.merge, MergeConcern(concern_id, body.into), principal, deps)


@router.post("/concerns/{concern_id}/assign", summary="交办: assign to a department")
async def assign(
    concern_id: UUID, body: AssignIn, principal: CurrentPrincipal, deps: DepsDep
) -> ConcernOut:
    cmd = AssignConcern(concern_id, body.department_code, body.due_on)
    return await _step(use.assign, cmd, principal, deps)


@router.post("/concerns/{concern_id}/reply", summary="办复: the assigned department replies")
async def reply(
    concern_id: UUID, body: ReplyIn, principal: CurrentPrincipal, deps: DepsDep
) -> ConcernOut:
    return await _step(use.reply, ReplyToConcern(concern_id, body.reply), principal, deps)


@router.post("/concerns/{concern_id}/rate", summary="The submitter rates the reply")
async def rate(
    concern_id: UUID, body: RateIn, principal: CurrentPrincipal, deps: DepsDep
) -> ConcernOut:
    cmd = RateConcern(concern_id, body.satisfaction, body.resolved)
    return await _step(use.rate, cmd, principal, deps)


@router.post("/concerns/{concern_id}/upgrade", summary="Upgrade to a report or a proposal")
async def upgrade(
    concern_id: UUID, body: UpgradeIn, principal: CurrentPrincipal, deps: DepsDep
) -> ConcernOut:
    cmd = UpgradeConcern(concern_id, body.to, body.reference)
    return await _step(use.upgrade, cmd, principal, deps)
