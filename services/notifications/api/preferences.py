"""The caller's own delivery preferences: channels on/off, addresses, quiet hours, digest."""

from __future__ import annotations

from datetime import time
from typing import Annotated
from zoneinfo import available_timezones

from fastapi import APIRouter
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from services.notifications import views
from services.notifications.api.deps import DepsDep, InboxKey, InboxOwner
from services.notifications.domain.delivery import Channel, Preference
from services.notifications.handlers.preferences import UpdatePreferences, update_preferences

router = APIRouter(prefix="/v1/preferences", tags=["preferences"])
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{6,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,255}$")]


def _text_only(value: object) -> object:
    # A number would be read as seconds since midnight; the document says a string.
    if not isinstance(value, str | time):
        raise ValueError("a wall-clock time is written HH:MM or HH:MM:SS")
    return value


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("a wall-clock time in `timezone`, without an offset")
    return value


# What is sent and what is taken: "22:00" or "22:00:00", no offset (the zone is `timezone`).
# JSON Schema's `format: time` demands an offset, which these times never carry.
WallClock = Annotated[
    time,
    BeforeValidator(_text_only),
    AfterValidator(_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "description": "a wall-clock time in `timezone`: HH:MM or HH:MM:SS",
        }
    ),
]


def _inbox_only() -> list[Channel]:
    return ["in_app"]


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is a mistake (or a smuggle)

    channels: list[Channel] = Field(default_factory=_inbox_only)
    email: Email | None = None
    phone: Phone | None = None
    wechat_openid: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    quiet_start: WallClock | None = None
    quiet_end: WallClock | None = None
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
