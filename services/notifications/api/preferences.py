"""The caller's own delivery preferences: channels on/off, addresses, quiet hours, digest."""

from __future__ import annotations

from datetime import time
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, JsonValue, StringConstraints, field_validator

from services.notifications import views
from services.notifications.api.deps import DepsDep, InboxKey, InboxOwner
from services.notifications.domain.delivery import Channel, Preference
from services.notifications.handlers.preferences import UpdatePreferences, update_preferences

router = APIRouter(prefix="/v1/preferences", tags=["preferences"])
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{6,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")]


def _inbox_only() -> list[Channel]:
    return ["in_app"]


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is a mistake (or a smuggle)

    channels: list[Channel] = Field(default_factory=_inbox_only)
    email: Email | None = None
    phone: Phone | None = None
    wechat_openid: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    # The document lists the zones the validator knows, so it refuses what the server refuses.
    timezone: str = Field(
        default="Asia/Shanghai",
        json_schema_extra={"enum": list[JsonValue](sorted(available_timezones()))},
    )
    digest: bool = False

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones():
            raise ValueError("unknown time zone")
        return value


class PreferencesOut(PreferencesIn):
    pass


def _out(p: Preference) -> PreferencesOut:
    return PreferencesOut(
        channels=sorted(p.channels),  # type: ignore[arg-type]
        email=p.email,
        phone=p.phone,
        wechat_openid=p.wechat_openid,
        quiet_start=p.quiet_start,
        quiet_end=p.quiet_end,
        timezone=p.timezone or "Asia/Shanghai",
        digest=p.digest,
    )


@router.get("", summary="Your preferences (defaults if never set)")
async def get_preferences(key: InboxKey, deps: DepsDep) -> PreferencesOut:
    async with deps.pool.acquire() as conn:
        found = await views.preference(conn, key)
    return _out(found) if found else PreferencesOut()


@router.put("", summary="Replace your preferences")
async def put_preferences(
    body: PreferencesIn, principal: InboxOwner, deps: DepsDep
) -> PreferencesOut:
    cmd = UpdatePreferences(
        **body.model_dump(exclude={"channels"}), channels=frozenset(body.channels)
    )
    preference = await update_preferences(
        cmd, principal=principal, uow=deps.uow(), clock=deps.clock
    )
    return _out(preference)
