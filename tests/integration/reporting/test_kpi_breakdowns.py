"""Workstation and per-period breakdowns, notifications reached, and rollups that agree with
the facts they sum, whatever the delivery order and however often an event arrives.

The history is scenario.py's (values worked out there) plus two workstations and three
notification deliveries; the per-period values below are worked out by hand from it.
"""

from __future__ import annotations

import json
import random
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from services.reporting.repository.recount import recount_deferred_rollups
from services.reporting.repository.rollup import METRICS
from shared.auth import Role
from shared.contracts import members as m
from shared.contracts.base import IntegrationEvent
from shared.contracts.notifications import NotificationDeliveredV1
from tests.integration.reporting import scenario
from tests.integration.reporting.history import HULIN, MISHAN, Member, at, publish_many
from tests.integration.reporting.support import (
    YEAR_2026,
    caught_up,
    rate_triples,
    reporting,
    summary,
)
from tests.support.platform import Platform

JIXI = "230300"
D = date


def _workstation(
    cls: type[Any], ws: UUID, on: date, region: str, members: list[Member], **kw: Any
) -> Any:
    extra = {} if cls is m.WorkstationClosedV1 else {"kind": "workstation", "name": kw["name"]}
    if cls is not m.WorkstationClosedV1:
        extra["member_ids"] = [x.member_id for x in members]
    return cls(occurred_at=at(on), region_code=region, workstation_id=ws, **extra)


def _delivered(member: Member | None, notification: UUID, channel: str) -> NotificationDeliveredV1:
    return NotificationDeliveredV1(
        occurred_at=at(D(2026, 3, 1)),
        region_code=member.region_code if member else JIXI,
        notification_id=notification,
        delivery_id=uuid4(),
        recipient_key=f"member:{member.member_id}" if member else "department:jixi-education",
        member_id=member.member_id if member else None,
        channel=channel,  # type: ignore[arg-type]
        kind="obligation_opened",
        source_event_id=uuid4(),
        attempts=1,
    )


def _history() -> tuple[scenario.Scenario, UUID, list[IntegrationEvent]]:
    s = scenario.build()
    w1, w2 = uuid4(), uuid4()
    n1, n2, n3 = uuid4(), uuid4(), uuid4()
    extra: list[IntegrationEvent] = [
        # W1 first had B, then (later) only A; W2 had B and closed: B is in no workstation.
        _workstation(m.WorkstationOpenedV1, w1, D(2026, 1, 10), MISHAN, [s.b], name="兴凯湖站"),
        _workstation(m.WorkstationChangedV1, w1, D(2026, 1, 20), MISHAN, [s.a], name="兴凯湖站"),
        _workstation(m.WorkstationOpenedV1, w2, D(2026, 1, 10), HULIN, [s.b], name="虎林站"),
        _workstation(m.WorkstationClosedV1, w2, D(2026, 2, 1), HULIN, []),
        # N1 reached A on two channels (counts once), N2 reached B, N3 a department (not a member).
        _delivered(s.a, n1, "in_app"),
        _delivered(s.a, n1, "sms"),
        _delivered(s.b, n2, "in_app"),
        _delivered(None, n3, "email"),
    ]
    return s, w1, s.events + extra


# Jixi, 2026, by month (visits, obligations by due date, concerns by submission date; liaisons
# active at each month's end: L1-L5 linked on 5 Jan, L3 unlinked on 1 Feb).
BY_MONTH = {
    "2026-01": {"contacts": 0, "liaisons_active": 5, "obligations_due": 0},
    "2026-02": {"contacts": 0, "liaisons_active": 4, "concerns_collected": 0},
    "2026-03": {
        "contacts": 2,  # v1, v2 (A)
        "people_reached": 15,
        "heart_to_heart_talks": 2,
        "liaisons_active": 4,
        "liaisons_contacted": 1,  # L1
        "obligations_due": 2,  # O1 on time, O2 late
        "obligations_fulfilled_on_time": 1,
        "obligations_fulfilled_late": 1,
        "concerns_collected": 3,  # C1-C3
        "concerns_handled": 3,
        "concerns_replied": 2,
        "notifications_reached": 2,  # N1 (A), N2 (B)
    },
    "2026-04": {
        "contacts": 1,  # v3 (B)
        "people_reached": 20,
        "liaisons_contacted": 2,  # L4, L5
        "obligations_due": 1,  # O3 overdue, escalated
        "obligations_overdue": 1,
        "obligations_escalated": 1,
        "concerns_collected": 3,  # C4-C6
        "concerns_handled": 1,  # C4 merged
        "concerns_assigned": 1,  # C5
        "proposals": 1,
        "public_opinion_reports": 1,
    },
    "2026-05": {"contacts": 0, "obligations_due": 1, "obligations_fulfilled_on_time": 1},
}
BY_DAY_CONTACTS = {"2026-03-01": (1, 10), "2026-03-05": (1, 5), "2026-04-01": (1, 20)}


def _shuffled_with_duplicates(events: list[IntegrationEvent]) -> list[IntegrationEvent]:
    shuffled = list(events)
    random.Random(11).shuffle(shuffled)
    return shuffled + shuffled[1::3] + shuffled[: len(shuffled) // 4]


async def test_workstation_and_period_breakdowns_equal_the_hand_computed_values(
    platform: Platform,
) -> None:
    _, w1, events = _history()
    await publish_many(platform, _shuffled_with_duplicates(events))
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with reporting(platform) as r:
        await caught_up(platform, len(events))
        total = await summary(r, admin, **YEAR_2026)
        by_ws = await summary(r, admin, group_by="workstation", **YEAR_2026)
        by_month = await summary(r, admin, group_by="month", **YEAR_2026)
        by_day = await summary(r, admin, group_by="day", **YEAR_2026)
        by_year = await summary(r, admin, group_by="year", **YEAR_2026)
        # A cut month counts its liaisons exactly: 3 Mar - 20 Apr reaches L1 (5 Mar) in March.
        cut = await summary(
            r, admin, group_by="month", **{"from": "2026-03-03", "to": "2026-04-20"}
        )
        mishan = await summary(r, admin, group_by="month", region_code=MISHAN, **YEAR_2026)
        await _assert_rollups_agree_with_facts(platform)
        await _assert_a_recount_equals_the_batches(platform)
    assert total["rows"][0]["counts"]["notifications_reached"] == 2
    # Workstations: W1 is A's; B's only one closed, so B is under '-'.
    ws = {row["key"]: row for row in by_ws["rows"]}
    assert set(ws) == {str(w1), "-"}
    assert ws[str(w1)]["label"] == "兴凯湖站"
    assert {k: ws[str(w1)]["counts"][k] for k in ("contacts", "people_reached")} == {
        "contacts": 2,
        "people_reached": 15,
    }
    assert rate_triples(ws[str(w1)])["compliance"] == (1, 3, 0.3333)  # O1 of O1-O3
    assert rate_triples(ws[str(w1)])["coverage"] == (1, 2, 0.5)  # L1 of L1, L2
    assert rate_triples(ws["-"])["coverage"] == (2, 2, 1.0)  # L4, L5
    assert ws["-"]["counts"]["concerns_collected"] == 3
    # Months.
    months = {row["key"]: row for row in by_month["rows"]}
    assert list(months) == list(BY_MONTH)
    for key, expected in BY_MONTH.items():
        for name, value in expected.items():
            assert months[key]["counts"].get(name, 0) == value, (key, name)
    assert rate_triples(months["2026-03"])["compliance"] == (1, 2, 0.5)
    assert rate_triples(months["2026-03"])["coverage"] == (1, 4, 0.25)
    assert rate_triples(months["2026-04"])["reply_rate"] == (0, 1, 0.0)
    assert months["2026-03"]["average_days_to_reply"] == 15.0
    assert months["2026-04"]["drill_down"] is None
    # Days and the year.
    days = {row["key"]: row["counts"] for row in by_day["rows"]}
    contacts = {k: (c["contacts"], c["people_reached"]) for k, c in days.items() if c["contacts"]}
    assert contacts == BY_DAY_CONTACTS
    assert days["2026-03-02"]["concerns_collected"] == 1  # C1
    assert [row["key"] for row in by_year["rows"]] == ["2026"]
    year = by_year["rows"][0]
    for name, value in scenario.JIXI_COUNTS.items():
        assert year["counts"][name] == value, name
    assert rate_triples(year) == scenario.JIXI_RATES
    cut_months = {row["key"]: row["counts"] for row in cut["rows"]}
    assert cut_months["2026-03"]["contacts"] == 1  # v2 on 5 Mar; v1 on 1 Mar is before
    assert cut_months["2026-03"]["liaisons_contacted"] == 1
    assert cut_months["2026-04"]["liaisons_contacted"] == 2
    assert cut_months["2026-04"]["liaisons_active"] == 4
    # Mishan (A only): March has A's two visits, April nothing but O3 and no concerns of A.
    mishan_months = {row["key"]: row["counts"] for row in mishan["rows"]}
    assert mishan_months["2026-03"]["contacts"] == 2
    assert mishan_months["2026-04"]["obligations_overdue"] == 1
    assert "2026-05" not in mishan_months


async def test_a_liaison_reached_before_its_link_arrived_counts_in_a_cut_period(
    platform: Platform,
) -> None:
    """Links and contact records travel on different topics, so a contact can be projected
    before its liaison is: the liaison still counts as reached on the contact's days."""
    a = Member(MISHAN, "education", "王建国")
    early, late = uuid4(), uuid4()
    contacts: list[IntegrationEvent] = [
        a.registered(),
        a.visit(D(2026, 3, 5), "online", 5, 0, liaison_ids=[early]),
        a.visit(D(2026, 6, 1), "online", 5, 0, liaison_ids=[late]),
    ]
    links: list[IntegrationEvent] = [
        a.liaison_linked(early, "李*芳"),
        a.liaison_linked(late, "张*明"),
    ]
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with reporting(platform) as r:
        await publish_many(platform, contacts)
        await caught_up(platform, len(contacts))
        await publish_many(platform, links)
        await caught_up(platform, len(contacts) + len(links))
        cut = await summary(
            r, admin, group_by="county", **{"from": "2026-03-03", "to": "2026-04-20"}
        )
        whole = await summary(
            r, admin, group_by="county", **{"from": "2026-03-03", "to": "2026-06-20"}
        )
    # 3 Mar - 20 Apr reaches only the first (5 Mar); to 20 Jun both; both linked on 5 Jan.
    assert rate_triples(cut["rows"][0])["coverage"] == (1, 2, 0.5)
    assert rate_triples(whole["rows"][0])["coverage"] == (2, 2, 1.0)


# Each rollup count recomputed straight from the fact rows (how the old query-time views did
# it), and compared for every member, grain and period.
_FROM_FACTS = """
WITH facts AS (
  SELECT member_id, occurred_on AS day, 1 AS contacts, people_reached, 0 AS obligations_due,
         0 AS obligations_fulfilled_late, 0 AS concerns_collected, 0 AS concerns_replied,
         0 AS days_to_reply_total
  FROM visit
  UNION ALL
  SELECT member_id, due_on, 0, 0, 1, (fulfilled_on IS NOT NULL AND NOT fulfilled_on_time)::int,
         0, 0, 0
  FROM obligation WHERE NOT withdrawn
  UNION ALL
  SELECT member_id, submitted_on, 0, 0, 0, 0, 1, (replied_round IS NOT NULL)::int,
         coalesce(first_replied_on - submitted_on, 0)
  FROM concern WHERE submitted_on IS NOT NULL
)
SELECT f.member_id, g.grain, kpi_period(g.grain, f.day) AS period, sum(contacts) AS contacts,
       sum(people_reached) AS people_reached, sum(obligations_due) AS obligations_due,
       sum(obligations_fulfilled_late) AS obligations_fulfilled_late,
       sum(concerns_collected) AS concerns_collected, sum(concerns_replied) AS concerns_replied,
       sum(days_to_reply_total) AS days_to_reply_total
FROM facts f CROSS JOIN (VALUES ('d'::"char"), ('m'), ('y')) AS g(grain)
GROUP BY 1, 2, 3"""
_FROM_ROLLUP = """
SELECT member_id, grain, period, sum(contacts) AS contacts, sum(people_reached) AS people_reached,
       sum(obligations_due) AS obligations_due,
       sum(obligations_fulfilled_late) AS obligations_fulfilled_late,
       sum(concerns_collected) AS concerns_collected, sum(concerns_replied) AS concerns_replied,
       sum(days_to_reply_total) AS days_to_reply_total
FROM member_kpi GROUP BY 1, 2, 3"""
_COUNTS = (
    "contacts",
    "people_reached",
    "obligations_due",
    "obligations_fulfilled_late",
    "concerns_collected",
    "concerns_replied",
    "days_to_reply_total",
)
# Distinct liaisons reached per year and active at its end, from the liaison rows.
_COVERAGE_FROM_FACTS = """
SELECT l.member_id, p.period, count(*) AS n FROM liaison_period_contact p
JOIN liaison l USING (liaison_id)
WHERE p.grain = 'y' AND liaison_active(l.linked_on, l.unlinked_on, kpi_period_end('y', p.period))
GROUP BY 1, 2"""


async def _rows(platform: Platform, sql: str) -> list[dict[str, Any]]:
    found = await platform.fetchval(
        "reporting",
        f"SELECT coalesce(json_agg(t), '[]'::json)::text FROM ({sql}) t",  # noqa: S608
    )
    rows: list[dict[str, Any]] = json.loads(found)
    return rows


def _nonzero(rows: list[dict[str, Any]], names: tuple[str, ...]) -> dict[tuple[Any, ...], Any]:
    return {
        (r["member_id"], r["grain"], r["period"]): tuple(r[n] for n in names)
        for r in rows
        if any(r[n] for n in names)
    }


async def _assert_rollups_agree_with_facts(platform: Platform) -> None:
    facts = _nonzero(await _rows(platform, _FROM_FACTS), _COUNTS)
    rollup = _nonzero(await _rows(platform, _FROM_ROLLUP), _COUNTS)
    assert facts
    assert rollup == facts
    # region_kpi is member_kpi without the member, grain by grain.
    having = " OR ".join(f"sum({c}) <> 0" for c in _COUNTS)
    per_region = (
        "SELECT grain, period, region_code, sector_code, {cols} FROM {table} "  # noqa: S608
        f"GROUP BY 1, 2, 3, 4 HAVING {having}"
    )
    cols = ", ".join(f"sum({c}) AS {c}" for c in (*_COUNTS, "liaison_delta", "liaisons_contacted"))
    by_member = await _rows(platform, per_region.format(cols=cols, table="member_kpi"))
    by_region = await _rows(platform, per_region.format(cols=cols, table="region_kpi"))
    assert sorted(by_member, key=json.dumps) == sorted(by_region, key=json.dumps)
    coverage = {
        (r["member_id"], r["period"]): r["n"] for r in await _rows(platform, _COVERAGE_FROM_FACTS)
    }
    counted = await _rows(
        platform,
        "SELECT member_id, period, sum(liaisons_contacted) AS n FROM member_kpi "
        "WHERE grain = 'y' GROUP BY 1, 2 HAVING sum(liaisons_contacted) <> 0",
    )
    assert {(r["member_id"], r["period"]): r["n"] for r in counted} == coverage
    # Liaisons active today: the running sum of +1/-1 equals the liaison rows.
    active = await platform.fetchval(
        "reporting",
        "SELECT count(*) FROM liaison WHERE liaison_active(linked_on, unlinked_on, current_date)",
    )
    summed = await platform.fetchval(
        "reporting",
        "SELECT sum(liaison_delta) FROM member_kpi WHERE grain = 'd' AND period <= current_date",
    )
    assert summed == active


# What a rebuild's recount replaces: every metric but the one always counted as it comes.
_RECOUNTED = tuple(m for m in METRICS if m != "notifications_reached")
_ROLLUP_ROWS = {
    "member_kpi": "SELECT member_id, grain, period, region_code, sector_code, {m} FROM member_kpi",
    "region_kpi": "SELECT grain, period, region_code, sector_code, {m} FROM region_kpi",
}


async def _assert_a_recount_equals_the_batches(platform: Platform) -> None:
    """The rebuild counts the rollups once from the fact tables (repository/recount.py); on
    the rows this shuffled, duplicated delivery left, that gives exactly what its batches did."""
    conn = await asyncpg.connect(platform.database_urls["reporting"])
    try:
        tx = conn.transaction()
        await tx.start()
        try:
            before = {t: await _nonzero_rows(conn, sql) for t, sql in _ROLLUP_ROWS.items()}
            days_before = await conn.fetch(_CONTACT_DAYS)
            zeroed = ", ".join(f"{m} = 0" for m in _RECOUNTED)
            for table in _ROLLUP_ROWS:
                await conn.execute(f"UPDATE {table} SET {zeroed}")  # noqa: S608
            await conn.execute("UPDATE liaison SET contact_days = '{}'")
            await recount_deferred_rollups(conn)
            after = {t: await _nonzero_rows(conn, sql) for t, sql in _ROLLUP_ROWS.items()}
            days_after = await conn.fetch(_CONTACT_DAYS)
        finally:
            await tx.rollback()
    finally:
        await conn.close()
    assert before["member_kpi"]
    assert after == before
    # Each liaison's contact days, kept per batch (also for liaisons reached before their
    # link arrived), are the ones the recount reads back from liaison_period_contact.
    assert any(r["contact_days"] for r in days_before)
    assert days_after == days_before


_CONTACT_DAYS = "SELECT liaison_id, contact_days::text FROM liaison ORDER BY liaison_id"


async def _nonzero_rows(conn: asyncpg.Connection, sql: str) -> set[tuple[Any, ...]]:
    rows = await conn.fetch(sql.format(m=", ".join(METRICS)))
    return {tuple(r) for r in rows if any(r[m] for m in METRICS)}
