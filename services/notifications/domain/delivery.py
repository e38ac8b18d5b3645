"""Delivery rules: which channels a recipient gets, quiet hours, and the retry schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Channel = Literal["in_app", "email", "sms", "wechat"]
EXTERNAL_CHANNELS: tuple[Channel, ...] = ("email", "sms", "wechat")
ALL_CHANNELS: tuple[Channel, ...] = ("in_app", *EXTERNAL_CHANNELS)


@dataclass(frozen=True)
class Preference:
    """A recipient's own choices. Addresses are personal data: never logged."""

    channels: frozenset[str]
    email: str | None = None
    phone: str | None = None
    wechat_openid: str | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    timezone: str | None = None
    digest: bool = False

    def address(self, channel: str) -> str | None:
        return {"email": self.email, "sms": self.phone, "wechat": self.wechat_openid}.get(channel)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    timezone: str

    def until(self, now: datetime) -> datetime | None:
        """When the quiet period `now` falls in ends (UTC); None if `now` is not quiet."""
        tz = ZoneInfo(self.timezone)
        local = now.astimezone(tz)
        t = local.time()
        overnight = self.start > self.end
        quiet = (t >= self.start or t < self.end) if overnight else self.start <= t < self.end
        if not quiet:
            return None
        end = datetime.combine(local.date(), self.end, tz)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(UTC)


def channels_for(preference: Preference | None) -> list[Channel]:
    """The inbox always; an outside channel only if switched on and an address is known."""
    if preference is None:
        return ["in_app"]
    outside = [c for c in EXTERNAL_CHANNELS if c in preference.channels and preference.address(c)]
    return ["in_app", *outside]


def quiet_hours(preference: Preference | None, default: QuietHours) -> QuietHours:
    if preference is None or preference.quiet_start is None or preference.quiet_end is None:
        return default
    return QuietHours(
        preference.quiet_start, preference.quiet_end, preference.timezone or default.timezone
    )


def held_until(
    now: datetime, *, priority: str, preference: Preference | None, default: QuietHours
) -> datetime | None:
    """Outside channels wait out quiet hours (22:00-07:00 by default); urgent ones do not."""
    if priority == "urgent":
        return None
    return quiet_hours(preference, default).until(now)


def backoff(attempts: int, *, base_seconds: float, max_seconds: float) -> timedelta:
    """Exponential: base, 2×base, 4×base … capped; `attempts` counts the failed tries so far."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempts - 1)))
