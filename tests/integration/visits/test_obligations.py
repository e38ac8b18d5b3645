"""Must-visit obligations (八必访) on the real stack: opened by occasions, fulfilled by visits,
overdue and escalated by the sweep, withdrawn on retirement; each step an event, none twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from services.visits.jobs import sweep_once
from services.visits.main import create_app
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Role
from shared.contracts import visits as ev
from shared.contracts.members import LiaisonLinkedV1, MemberRegisteredV1
from shared.contracts.topics import VISITS_OBLIGATION
from shared.db.pool import create_pool
from shared.kernel import FixedClock
from tests.support.builders import (
    circumstance_reported,
    liaison_linked,
    member_registered,
    member_retired,
    policy_issued,
    publish,
)
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI, HARBIN = "230300", "230100"
# 10:00 in Jixi on 10 Sep 2026 (UTC+8).
NOW = datetime(2026, 9, 10, 2, 0, tzinfo=UTC)
OWED = "SELECT count(*) FROM obligation WHERE status IN ('open', 'overdue', 'escalated')"


@asynccontextmanager
async def _visits(platform: Platform, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(platform.settings(VisitsSettings, "visits"), clock=clock, sweep=False)
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def _count(platform: Platform, sql: str, *args: Any) -> int:
    return int(await platform.fetchval("visits", sql, *args))


async def _seed(platform: Platform, *events: Any) -> None:
    """Publish the directory first and wait until visits knows it: occasions come later, as
    in real life (an occasion only reaches members visits already knows of)."""
    roster = [e for e in events if isinstance(e, MemberRegisteredV1 | LiaisonLinkedV1)]
    for e in roster:
        await publish(platform, e)
    members = sum(1 for e in roster if isinstance(e, MemberRegisteredV1))
    await eventually(
        lambda: _count(platform, "SELECT count(*) FROM member_roster"), lambda n: n == members
    )
    for e in events:
        if e not in roster:
            await publish(platform, e)


async def _obligation_events(platform: Platform) -> list[str]:
    topic = platform.topic(VISITS_OBLIGATION.name)
    return [
        dict(m.headers)["ce_type"].decode()
        for m in await read_all(platform.stack.kafka_bootstrap, topic)
    ]


async def test_a_policy_obliges_every_active_member_of_its_sectors_in_its_regions_once(
    platform: Platform,
) -> None:
    teacher = member_registered(region_code="230382", sector_code="education")
    other_teacher = member_registered(region_code="230302", sector_code="education")
    doctor = member_registered(region_code="230382", sector_code="medicine_health")
    harbin_teacher = member_registered(region_code="230102", sector_code="education")
    for m in (teacher, other_teacher, doctor, harbin_teacher):
        await publish(platform, m)
    entered = datetime(2026, 9, 8, 2, tzinfo=UTC)  # the day it was issued: due 30 days on
    policy = policy_issued(issued_on=date(2026, 9, 8), region_codes=[JIXI], occurred_at=entered)
    async with _visits(platform, FixedClock(NOW)):
        await eventually(
            lambda: _count(platform, "SELECT count(*) FROM member_roster"), lambda n: n == 4
        )
        await publish(platform, policy)
        await publish(platform, policy)  # delivered twice: still one obligation per member
        await eventually(lambda: _count(platform, OWED), lambda n: n == 2, what="2 obligations")
        rows = await platform.fetchval(
            "visits",
            "SELECT array_agg(member_id ORDER BY member_id) FROM obligation WHERE due_on = $1",
            date(2026, 10, 8),
        )
        events = await eventually(
            lambda: _obligation_events(platform), lambda e: len(e) >= 2, what="events"
        )
    assert sorted(rows) == sorted([teacher.member_id, other_teacher.member_id])
    assert events == ["visits.obligation.opened.v1"] * 2


async def test_a_contact_for_the_occasion_fulfils_it_on_time(platform: Platform) -> None:
    teacher = member_registered(region_code="230382", sector_code="education")
    me = platform.keys.headers(Role.MEMBER, "230382", member_id=teacher.member_id)
    async with _visits(platform, FixedClock(NOW)) as client:
        await _seed(platform, teacher, policy_issued(issued_on=date(2026, 9, 8), occurred_at=NOW))
        await eventually(lambda: _count(platform, OWED), lambda n: n == 1)
        visit = await client.post(
            "/v1/visits",
            headers=me,
            json={
                "member_id": str(teacher.member_id),
                "channel": "face_to_face",
                "occasion": "policy_issued",
                "occurred_on": "2026-09-09",
                "people_reached": 12,
                "heart_to_heart_talks": 3,
                "summary": "宣讲乡村教师政策，听取意见",
            },
        )
        assert visit.status_code == 201, visit.text
        mine = (await client.get("/v1/obligations", headers=me)).json()["items"]
    assert len(visit.json()["fulfilled_obligation_ids"]) == 1
    assert [(o["status"], o["fulfilled_on"]) for o in mine] == [("fulfilled", "2026-09-09")]
    events = await eventually(
        lambda: read_all(platform.stack.kafka_bootstrap, platform.topic(VISITS_OBLIGATION.name)),
        lambda m: len(m) == 2,
    )
    fulfilled = ev.ObligationFulfilledV1.model_validate_json(events[-1].value)
    assert fulfilled.on_time is True
    assert fulfilled.visit_id == UUID(visit.json()["id"])


async def test_a_liaisons_hardship_is_fulfilled_only_by_visiting_that_liaison(
    platform: Platform,
) -> None:
    member = member_registered(region_code="230382", sector_code="agriculture")
    liaison = liaison_linked(member)
    other = liaison_linked(member, display_name="王*")
    me = platform.keys.headers(Role.MEMBER, "230382", member_id=member.member_id)
    visit = {
        "member_id": str(member.member_id),
        "channel": "service",
        "occasion": "liaison_hardship",
        "occurred_on": "2026-09-10",
        "people_reached": 1,
        "summary": "慰问",
    }
    async with _visits(platform, FixedClock(NOW)) as client:
        await _seed(
            platform,
            member,
            liaison,
            other,
            circumstance_reported(liaison, "hardship", occurred_at=NOW),
        )
        due = await eventually(
            lambda: platform.fetchval("visits", "SELECT due_on FROM obligation"),
            lambda d: d is not None,
        )
        wrong = await client.post(
            "/v1/visits", headers=me, json={**visit, "liaison_ids": [str(other.liaison_id)]}
        )
        right = await client.post(
            "/v1/visits", headers=me, json={**visit, "liaison_ids": [str(liaison.liaison_id)]}
        )
    assert due == date(2026, 9, 13), "hardship: three days"
    assert wrong.json()["fulfilled_obligation_ids"] == []
    assert len(right.json()["fulfilled_obligation_ids"]) == 1


async def test_overdue_obligations_escalate_to_the_special_committee_then_the_city_once(
    platform: Platform,
) -> None:
    with_committee = member_registered(
        region_code="230382", sector_code="education", special_committee_code="cppcc-230300-edu"
    )
    without = member_registered(region_code="230302", sector_code="education")
    clock = FixedClock(NOW)
    pool = await create_pool(platform.database_urls["visits"])

    def sweep() -> Any:
        return sweep_once(
            lambda: VisitsUnitOfWork(pool),
            clock=clock,
            timezone="Asia/Shanghai",
            escalate_after_days=7,
            batch_size=1,
        )

    levels = "SELECT member_id, escalation_level, escalated_to FROM obligation ORDER BY member_id"
    try:
        async with _visits(platform, clock):
            entered = datetime(2026, 8, 1, 2, tzinfo=UTC)  # entered the day it was issued
            policy = policy_issued(issued_on=date(2026, 8, 1), occurred_at=entered)
            await _seed(platform, with_committee, without, policy)
            await eventually(lambda: _count(platform, OWED), lambda n: n == 2)
            # Due 31 Aug; on 10 Sep (10 days late) both are overdue and climb one rung, swept
            # at once by two replicas: nothing may be marked or announced twice.
            results = await asyncio.gather(sweep(), sweep())
            after_first = await pool.fetch(levels)
            clock.advance(timedelta(days=7))
            await sweep()
            after_second = await pool.fetch(levels)
            events = await eventually(
                lambda: _obligation_events(platform), lambda e: len(e) >= 7, what="7 events"
            )
    finally:
        await pool.close()
    assert sum(r[0] for r in results) == 2
    first = {r["member_id"]: (r["escalation_level"], r["escalated_to"]) for r in after_first}
    assert first[with_committee.member_id] == (1, "cppcc-230300-edu")
    assert first[without.member_id] == (2, "230300"), "no special committee: straight to city"
    second = {r["member_id"]: (r["escalation_level"], r["escalated_to"]) for r in after_second}
    assert second[with_committee.member_id] == (2, "230300")
    assert second[without.member_id] == (2, "230300")
    assert sorted(events) == sorted(
        ["visits.obligation.opened.v1"] * 2
        + ["visits.obligation.overdue.v1"] * 2
        + ["visits.obligation.escalated.v1"] * 3
    )


async def test_a_retired_member_owes_nothing_more(platform: Platform) -> None:
    member = member_registered(region_code="230382", sector_code="education")
    async with _visits(platform, FixedClock(NOW)):
        await _seed(platform, member, policy_issued(issued_on=date(2026, 9, 8), occurred_at=NOW))
        await eventually(lambda: _count(platform, OWED), lambda n: n == 1)
        await publish(platform, member_retired(member))
        await eventually(lambda: _count(platform, OWED), lambda n: n == 0)
        await publish(platform, policy_issued(issued_on=date(2026, 9, 9), occurred_at=NOW))
        await eventually(
            lambda: _obligation_events(platform), lambda e: len(e) >= 2, what="withdrawn"
        )
    assert await _count(platform, "SELECT count(*) FROM obligation") == 1
    assert await _obligation_events(platform) == [
        "visits.obligation.opened.v1",
        "visits.obligation.withdrawn.v1",
    ]


async def test_members_record_only_their_own_and_staff_only_in_their_region(
    platform: Platform,
) -> None:
    member = member_registered(region_code="230382", sector_code="education")
    someone = member_registered(region_code="230382", sector_code="education")
    visit = {
        "member_id": str(member.member_id),
        "channel": "online",
        "occurred_on": "2026-09-10",
        "people_reached": 5,
        "summary": "线上交流",
    }
    async with _visits(platform, FixedClock(NOW)) as client:
        await _seed(platform, member, someone)
        impostor = platform.keys.headers(Role.MEMBER, "230382", member_id=someone.member_id)
        assert (await client.post("/v1/visits", headers=impostor, json=visit)).status_code == 403
        harbin = platform.keys.headers(Role.CITY_ADMIN, HARBIN)
        assert (await client.post("/v1/visits", headers=harbin, json=visit)).status_code == 404
        staff = {**platform.keys.headers(Role.CITY_ADMIN, JIXI), "Idempotency-Key": "k1"}
        first = await client.post("/v1/visits", headers=staff, json=visit)
        again = await client.post("/v1/visits", headers=staff, json=visit)
        assert first.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert first.json()["recorded_by_role"] == "city_admin"
        visit_id = first.json()["id"]
        assert (await client.get(f"/v1/visits/{visit_id}", headers=harbin)).status_code == 404
        assert (await client.get(f"/v1/visits/{visit_id}", headers=impostor)).status_code == 404
        listed = (await client.get("/v1/visits", headers=harbin)).json()["items"]
        reused_key = await client.post(
            "/v1/visits", headers=staff, json={**visit, "people_reached": 6}
        )
        future = await client.post(
            "/v1/visits",
            headers=platform.keys.headers(Role.CITY_ADMIN, JIXI),
            json={**visit, "occurred_on": "2026-09-30"},
        )
    assert listed == []
    assert reused_key.status_code == 409
    assert future.status_code == 422
    assert await _count(platform, "SELECT count(*) FROM contact_record") == 1


async def test_staff_run_the_sweep_on_demand_and_see_escalations_fulfilled_late(
    platform: Platform,
) -> None:
    """A policy entered on time, missed: the city office sweeps on demand (it escalates), the
    member then visits: the obligation says its escalation was fulfilled late, not open; a
    policy entered 40 days after its date is not swept at all (its window starts on entry)."""
    member = member_registered(
        region_code="230382", sector_code="education", special_committee_code="cppcc-230300-edu"
    )
    city = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    me = platform.keys.headers(Role.MEMBER, "230382", member_id=member.member_id)
    on_time = policy_issued(
        issued_on=date(2026, 7, 1), occurred_at=datetime(2026, 7, 1, 2, tzinfo=UTC)
    )
    late_entry = policy_issued(issued_on=date(2026, 8, 1), occurred_at=NOW)
    async with _visits(platform, FixedClock(NOW)) as client:
        await _seed(platform, member, on_time, late_entry)
        await eventually(lambda: _count(platform, OWED), lambda n: n == 2)
        refused = await client.post("/v1/obligations/sweep", headers=me)
        swept = await client.post("/v1/obligations/sweep", headers=city)
        last = await client.get("/v1/obligations/sweep", headers=city)
        visit = await client.post(
            "/v1/visits",
            headers=me,
            json={
                "member_id": str(member.member_id),
                "channel": "face_to_face",
                "occasion": "policy_issued",
                "occurred_on": "2026-09-10",
                "people_reached": 3,
                "summary": "宣讲政策",
            },
        )
        listed = await client.get("/v1/obligations", headers=city)
    assert refused.status_code == 403
    assert swept.status_code == 200, swept.text
    assert (swept.json()["overdue"], swept.json()["escalated"]) == (1, 1)
    assert swept.json()["trigger"] == "on_demand"
    [run] = last.json()["runs"]
    assert (run["trigger"], run["overdue"], run["escalated"]) == ("on_demand", 1, 1)
    assert visit.status_code == 201, visit.text
    by_source = {o["source_id"]: o for o in listed.json()["items"]}
    missed, fresh = by_source[str(on_time.occasion_id)], by_source[str(late_entry.occasion_id)]
    assert (missed["status"], missed["escalation_level"]) == ("fulfilled", 1)
    assert missed["escalation"] == "fulfilled_late"
    assert (fresh["due_on"], fresh["escalation"]) == ("2026-10-10", "none")
