"""GET /v1/feed: the de-identified facts for the provincial data platform, pulled by cursor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.reporting.api.deps import DepsDep
from services.reporting.views.feed import feed_page
from shared.auth import Role
from shared.regions import scope_prefix
from shared.web.security import CurrentPrincipal, require_role

router = APIRouter(prefix="/v1/feed", tags=["data platform"])


class FeedPage(BaseModel):
    items: list[dict[str, Any]] = Field(description="dataplatform.* events, as on the topics")
    next_cursor: str = Field(description="pass back as `cursor` for what came after")


@router.get("", summary="De-identified facts after `cursor` (data platform only)")
async def feed(
    principal: CurrentPrincipal,
    deps: DepsDep,
    cursor: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> FeedPage:
    require_role(principal, frozenset({Role.DATA_PLATFORM}))
    async with deps.pool.acquire() as conn:
        page = await feed_page(
            conn, region_prefix=scope_prefix(principal.region_code), after=cursor, limit=limit
        )
    next_cursor = page[-1][0] if page else cursor
    return FeedPage(items=[item for _, item in page], next_cursor=str(next_cursor))
