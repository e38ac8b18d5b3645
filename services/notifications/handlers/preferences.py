"""The caller replacing their own delivery preferences: channels, addresses, quiet hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from services.notifications.domain.delivery import Preference
from services.notifications.handlers.inbox import inbox_of
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import Principal
from shared.kernel import Clock


@dataclass(frozen=True)
class UpdatePreferences:
    channels: frozenset[str]
    email: str | None = None
    phone: str | None = None
    wechat_openid: str | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str = "Asia/Shanghai"
    digest: bool = False


async def update_preferences(
    cmd: UpdatePreferences,
    *,
    principal: Principal,
    uow: NotificationsUnitOfWork,
    clock: Clock,
) -> Preference:
    """Replaces them whole; the inbox cannot be switched off (nothing would reach them)."""
    key = inbox_of(principal)
    preference = Preference(
        channels=frozenset({"in_app", *cmd.channels}),
        email=cmd.email,
        phone=cmd.phone,
        wechat_openid=cmd.wechat_openid,
        quiet_start=cmd.quiet_start,
        quiet_end=cmd.quiet_end,
        timezone=cmd.timezone,
        digest=cmd.digest,
    )
    async with uow:
        await uow.preferences.put(key, preference, clock.now())
        await uow.commit()
    return preference
