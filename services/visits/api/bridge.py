"""Visits HTTP endpoints: the bridge to the government disposal platform (政务联动处置平台).

Staff watch and replay dispatches; the platform posts replies (办复) to a signed endpoint that
takes no bearer token: the HMAC over timestamp and body under the shared secret is its proof.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.visits.adapters import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from services.visits.api.concerns import DepartmentCode, Text
from services.visits.api.deps import DepsDep
from services.visits.commands import RecordPlatformReply, ReplayDispatch
from services.visits.handlers.bridge import receive_platform_reply, replay_dispatch
from services.visits.repository.bridge import Dispatch
from services.visits.views import bridge as views
from shared.web.problems import Problem
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/bridge", tags=["bridge"])


class DispatchOut(BaseModel):
    id: UUID
    concern_id: UUID
    round: int
    region_code: str
    department_code: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class DispatchPage(BaseModel):
    items: list[DispatchOut]
    next_cursor: UUID | None


class PlatformReplyIn(BaseModel):
    model_config = ConfigDict(extra="ignore")  # the platform may add fields; we need these

    concern_id: UUID
    round: Annotated[int, Field(ge=1, le=1000)]
    department_code: DepartmentCode
    reply: Text


class ReplyReceipt(BaseModel):
    concern_id: UUID
    round: int
    applied: bool = Field(description="false: this reply had already been received")


def _out(d: Dispatch) -> DispatchOut:
    return DispatchOut(**d.__dict__)


@router.get("/dispatches", summary="Assignments sent, waiting or failed (staff, their region)")
async def list_dispatches(
    principal: CurrentPrincipal,
    deps: DepsDep,
    status: Annotated[Literal["pending", "sent", "failed"] | None, Query()] = None,
    after: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DispatchPage:
    async with deps.pool.acquire() as conn:
        found = await views.dispatches(conn, principal, status=status, after=after, limit=limit)
    items = [_out(d) for d in found]
    return DispatchPage(items=items, next_cursor=items[-1].id if len(items) == limit else None)


@router.post("/dispatches/{dispatch_id}/retry", summary="Replay a dispatch now (staff)")
async def retry_dispatch(
    dispatch_id: UUID, principal: CurrentPrincipal, deps: DepsDep
) -> DispatchOut:
    cmd = ReplayDispatch(dispatch_id)
    return _out(await replay_dispatch(cmd, principal=principal, uow=deps.uow()))


@router.post(
    "/replies",
    summary="办复 from the disposal platform (HMAC-signed; the same reply twice applies once)",
    responses={401: {"description": "Missing, stale or invalid signature"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PlatformReplyIn.model_json_schema()}},
        }
    },
)
async def receive_reply(
    request: Request,
    deps: DepsDep,
    timestamp: Annotated[str | None, Header(alias=TIMESTAMP_HEADER, max_length=20)] = None,
    signature: Annotated[str | None, Header(alias=SIGNATURE_HEADER, max_length=100)] = None,
) -> ReplyReceipt:
    raw = await request.body()
    settings = deps.settings
    if not verify(
        settings.disposal_platform_secret.get_secret_value(),
        timestamp=timestamp,
        signature_header=signature,
        body=raw,
        now=time.time(),
        window_seconds=settings.bridge_signature_window_seconds,
    ):
        raise Problem(
            401, "Unauthorized", "missing, stale or invalid signature", kind="unauthorized"
        )
    try:
        body = PlatformReplyIn.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None
    applied = await receive_platform_reply(
        RecordPlatformReply(**body.model_dump()),
        uow=deps.uow(),
        clock=deps.clock,
        timezone=settings.timezone,
    )
    return ReplyReceipt(concern_id=body.concern_id, round=body.round, applied=applied)
