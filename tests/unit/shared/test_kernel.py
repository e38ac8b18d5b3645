"""Ids (UUIDv7 layout) and the clocks use cases take their time from."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.kernel import FixedClock, SystemClock, new_id


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _next_millisecond() -> None:
    start = _now_ms()
    while _now_ms() == start:
        pass


def test_new_id_is_a_version_7_uuid_with_the_rfc_variant() -> None:
    ids = [new_id() for _ in range(200)]
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {uuid.RFC_4122}


def test_new_id_carries_the_unix_millisecond_it_was_made_in() -> None:
    before = _now_ms()
    made = new_id()
    after = _now_ms()
    assert before <= made.int >> 80 <= after


def test_ids_made_in_successive_milliseconds_sort_in_the_order_they_were_made() -> None:
    made = []
    for _ in range(20):
        made.append(new_id())
        _next_millisecond()
    assert sorted(made) == made
    assert sorted(str(i) for i in made) == [str(i) for i in made]


def test_ids_made_back_to_back_never_collide() -> None:
    ids = {new_id() for _ in range(1000)}
    assert len(ids) == 1000


def test_fixed_clock_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="aware"):
        FixedClock(datetime(2026, 11, 27, 10, 0))


def test_fixed_clock_stands_still_until_advanced() -> None:
    at = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
    clock = FixedClock(at)
    assert clock.now() == at
    assert clock.now() == at
    clock.advance(timedelta(days=30, seconds=1))
    assert clock.now() == datetime(2026, 12, 27, 10, 0, 1, tzinfo=UTC)


def test_fixed_clock_accepts_any_aware_zone() -> None:
    beijing = timezone(timedelta(hours=8))
    clock = FixedClock(datetime(2026, 11, 27, 18, 0, tzinfo=beijing))
    assert clock.now() == datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def test_system_clock_tells_aware_utc_time() -> None:
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
