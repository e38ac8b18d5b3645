"""Channels, quiet hours and the retry schedule."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from uuid import uuid4

from services.notifications.domain.delivery import (
    Preference,
    QuietHours,
    backoff,
    channels_for,
    held_until,
)
from services.notifications.domain.recipients import inbox_key
from shared.auth import Principal, Role

DEFAULT = QuietHours(time(22, 0), time(7, 0), "Asia/Shanghai")


def _shanghai(hour: int, minute: int = 0) -> datetime:
    # 2026-09-12 hh:mm in Asia/Shanghai (UTC+8) as UTC.
    return datetime(2026, 9, 12, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def test_without_preferences_only_the_inbox_is_used() -> None:
    assert channels_for(None) == ["in_app"]


def test_a_channel_needs_to_be_on_and_to_have_an_address() -> None:
    p = Preference(channels=frozenset({"in_app", "email", "sms"}), email="a@b.cn")
    assert channels_for(p) == ["in_app", "email"]


def test_late_evening_is_quiet_until_seven_the_next_morning() -> None:
    until = held_until(_shanghai(23, 30), priority="normal", preference=None, default=DEFAULT)
    assert until == _shanghai(7) + timedelta(days=1)


def test_early_morning_is_quiet_until_seven_the_same_morning() -> None:
    until = held_until(_shanghai(6, 59), priority="normal", preference=None, default=DEFAULT)
    assert until == _shanghai(7)


def test_daytime_is_not_quiet() -> None:
    assert held_until(_shanghai(7), priority="normal", preference=None, default=DEFAULT) is None
    assert held_until(_shanghai(21, 59), priority="low", preference=None, default=DEFAULT) is None


def test_urgent_goes_through_quiet_hours() -> None:
    assert held_until(_shanghai(23), priority="urgent", preference=None, default=DEFAULT) is None


def test_a_recipients_own_quiet_hours_win() -> None:
    p = Preference(channels=frozenset({"in_app"}), quiet_start=time(12), quiet_end=time(14))
    assert held_until(_shanghai(23), priority="normal", preference=p, default=DEFAULT) is None
    assert held_until(_shanghai(13), priority="normal", preference=p, default=DEFAULT) == (
        _shanghai(14)
    )


def test_backoff_doubles_and_is_capped() -> None:
    waits = [backoff(n, base_seconds=30, max_seconds=200).total_seconds() for n in range(1, 6)]
    assert waits == [30, 60, 120, 200, 200]


def test_each_role_reads_the_inbox_its_token_names() -> None:
    member = uuid4()
    assert inbox_key(Principal("u1", Role.MEMBER, "230302", member)) == f"member:{member}"
    assert inbox_key(Principal("jx-edu", Role.DEPARTMENT, "230300")) == "department:jx-edu"
    assert inbox_key(Principal("sc-edu", Role.COMMITTEE_STAFF, "230300")) == "office:sc-edu"
    assert inbox_key(Principal("a", Role.CITY_ADMIN, "230300")) == "office:230300"
    assert inbox_key(Principal("a", Role.AUDITOR, "230000")) is None
