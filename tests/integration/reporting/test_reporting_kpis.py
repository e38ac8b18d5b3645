"""KPIs from a known event history equal the hand-computed values, whatever the delivery."""

from __future__ import annotations

import random
from datetime import date
from typing import Any
from uuid import uuid4

from shared.auth import Role
from shared.contracts import visits as v
from shared.contracts.base import IntegrationEvent
from tests.integration.reporting import scenario
from tests.integration.reporting.history import MISHAN, Member, publish_many
from tests.integration.reporting.support import (
    YEAR_2026,
    caught_up,
    rate_triples,
    reporting,
    summary,
)
from tests.support.platform import Platform

JIXI = "230300"


def _assert_jixi_totals(row: dict[str, Any]) -> None:
    for name, expected in scenario.JIXI_COUNTS.items():
        assert row["counts"][name] == expected, name
    assert rate_triples(row) == scenario.JIXI_RATES
    assert row["average_days_to_reply"] == scenario.JIXI_AVERAGE_DAYS_TO_REPLY


async def test_each_kpi_equals_the_hand_computed_value(platform: Platform) -> None:
    s = scenario.build()
    await publish_many(platform, s.events)
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with reporting(platform) as r:
        await caught_up(platform, len(s.events))
        total = await summary(r, admin, **YEAR_2026)
        by_county = await summary(r, admin, group_by="county", **YEAR_2026)
        by_committee = await summary(r, admin, group_by="special_committee", **YEAR_2026)
        first = await summary(r, admin, group_by="county", limit="1", **YEAR_2026)
        second = await summary(
            r, admin, group_by="county", limit="1", cursor=first["next_cursor"], **YEAR_2026
        )
        province = await summary(
            r, platform.keys.headers(Role.PROVINCE_ADMIN, "230000"), group_by="city", **YEAR_2026
        )
    assert [row["key"] for row in total["rows"]] == ["all"]
    _assert_jixi_totals(total["rows"][0])
    counties = {row["key"]: row for row in by_county["rows"]}
    assert set(counties) == {"230381", "230382"}
    mishan, hulin = counties["230382"], counties["230381"]
    assert rate_triples(mishan)["compliance"] == (1, 3, 0.3333)
    assert rate_triples(mishan)["coverage"] == (1, 2, 0.5)
    assert rate_triples(mishan)["handled_rate"] == (3, 3, 1.0)
    assert rate_triples(hulin)["reply_rate"] == (0, 1, 0.0)
    assert rate_triples(hulin)["satisfaction_rate"] == (0, 0, None)
    assert hulin["counts"]["people_reached"] == 20
    assert mishan["drill_down"] == {"region_code": "230382", "group_by": "member"}
    assert [row["key"] for row in first["rows"] + second["rows"]] == ["230381", "230382"]
    assert second["next_cursor"] is None
    committees = {row["key"]: row["counts"]["contacts"] for row in by_committee["rows"]}
    assert committees == {"sc-education": 2, "sc-health": 1}
    cities = {row["key"]: row for row in province["rows"]}
    assert set(cities) == {"230100", "230300"}
    assert cities["230300"]["drill_down"] == {"region_code": "230300", "group_by": "county"}
    _assert_jixi_totals(cities["230300"])


async def test_duplicates_and_a_shuffled_order_give_the_same_kpis(platform: Platform) -> None:
    s = scenario.build()
    shuffled = list(s.events)
    random.Random(7).shuffle(shuffled)  # replies before assignments, unlinks before links
    await publish_many(platform, shuffled + shuffled[::2] + shuffled[: len(shuffled) // 3])
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with reporting(platform) as r:
        await caught_up(platform, len(s.events))
        total = await summary(r, admin, **YEAR_2026)
    _assert_jixi_totals(total["rows"][0])


def _seeds_history() -> list[IntegrationEvent]:
    """700 concerns collected, 600 handled: 300 replied, 200 closed, 60 rejected, 40 merged."""
    member = Member(MISHAN, "education", "钱学文")
    day = date(2026, 6, 1)
    events: list[IntegrationEvent] = [member.registered()]
    ids = [uuid4() for _ in range(700)]
    events += [member.submitted(c, day) for c in ids]
    for c in ids[:300]:
        events += [member.assigned(c, day), member.replied(c, date(2026, 6, 8), on_time=True)]
    events += [member.concern(v.ConcernClosedV1, c, day, resolved=True) for c in ids[300:500]]
    events += [member.concern(v.ConcernRejectedV1, c, day) for c in ids[500:560]]
    events += [member.concern(v.ConcernMergedV1, c, day, merged_into=ids[0]) for c in ids[560:600]]
    return events


async def test_the_seeds_700_collected_600_handled_is_85_point_7_percent(
    platform: Platform,
) -> None:
    events = _seeds_history()
    await publish_many(platform, events)
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with reporting(platform) as r:
        await caught_up(platform, len(events), timeout=240)
        total = await summary(r, admin, **YEAR_2026)
    row = total["rows"][0]
    assert rate_triples(row)["handled_rate"] == (600, 700, 0.8571)
    assert rate_triples(row)["reply_rate"] == (300, 300, 1.0)
    assert row["average_days_to_reply"] == 7.0
