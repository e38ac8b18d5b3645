"""The caller's in-app inbox (站内信): list, unread count, mark read, and a live stream (SSE)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from sse_starlette import EventSourceResponse

from services.notifications import views
from services.notifications.api.deps import DepsDep, InboxKey, InboxOwner
from services.notifications.handlers import inbox as commands
from services.notifications.views import InboxItem

router = APIRouter(prefix="/v1/inbox", tags=["inbox"])
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NIL = UUID(int=0)


class InboxItemOut(BaseModel):
    id: UUID
    kind: str
    priority: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class InboxPage(BaseModel):
    items: list[InboxItemOut]


class UnreadCount(BaseModel):
    unread: int


def _out(item: InboxItem) -> InboxItemOut:
    return InboxItemOut(**item.__dict__)


@router.get("", summary="Your inbox, newest first")
async def list_inbox(
    key: InboxKey,
    deps: DepsDep,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InboxPage:
    async with deps.pool.acquire() as conn:
        items = await views.inbox(conn, key, limit=limit, unread_only=unread_only)
    return InboxPage(items=[_out(i) for i in items])


@router.get("/unread-count", summary="How many of your notifications are unread")
async def unread_count(key: InboxKey, deps: DepsDep) -> UnreadCount:
    async with deps.pool.acquire() as conn:
        return UnreadCount(unread=await views.unread_count(conn, key))


@router.post("/{notification_id}/read", summary="Mark one of yours read", status_code=204)
async def mark_read(notification_id: UUID, principal: InboxOwner, deps: DepsDep) -> None:
    cmd = commands.MarkRead(notification_id)
    await commands.mark_read(cmd, principal=principal, uow=deps.uow(), clock=deps.clock)


@router.get("/stream", summary="New items for you as Server-Sent Events")
async def stream(key: InboxKey, deps: DepsDep, request: Request) -> EventSourceResponse:
    """Polls the table (every replica can serve any caller; no LISTEN connection per client)."""
    return EventSourceResponse(_new_items(key, deps, request))


async def _new_items(key: str, deps: DepsDep, request: Request) -> AsyncIterator[dict[str, str]]:
    async with deps.pool.acquire() as conn:
        latest = await views.inbox(conn, key, limit=1, unread_only=False)
    cursor = (latest[0].created_at, latest[0].id) if latest else (_EPOCH, _NIL)
    yield {"event": "ready", "data": "{}"}
    while not await request.is_disconnected():
        async with deps.pool.acquire() as conn:
            items = await views.newer_than(conn, key, *cursor)
        for item in items:
            cursor = (item.created_at, item.id)
            yield {
                "event": "notification",
                "id": str(item.id),
                "data": _out(item).model_dump_json(),
            }
        await asyncio.sleep(deps.settings.stream_poll_seconds)
