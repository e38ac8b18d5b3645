"""Scope rules for KPIs and dossiers, and a data-platform feed that carries no personal data."""

from __future__ import annotations

import json
from datetime import date
from uuid import uuid4

import httpx

from shared.auth import Role
from shared.contracts import topics
from shared.contracts.visits import ConcernUpgradedV1, ObligationOpenedV1
from tests.integration.reporting import scenario
from tests.integration.reporting.history import MISHAN, Member, publish_many
from tests.integration.reporting.support import YEAR_2026, caught_up, reporting, summary
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.wait import eventually

FEED_TOPICS = (
    topics.DATAPLATFORM_VISIT,
    topics.DATAPLATFORM_OBLIGATION,
    topics.DATAPLATFORM_CONCERN,
)


async def _feed_pages(r: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    pages, cursor = [], "0"
    while True:
        page = await r.get("/v1/feed", headers=headers, params={"cursor": cursor, "limit": 7})
        assert page.status_code == 200, page.text
        pages.append(page.text)
        body = page.json()
        if not body["items"]:
            return pages
        cursor = body["next_cursor"]


async def test_scope_rules_and_a_feed_without_personal_data(platform: Platform) -> None:
    s = scenario.build()
    await publish_many(platform, s.events)
    keys = platform.keys
    a, b, d = s.a, s.b, s.d
    as_a = keys.headers(Role.MEMBER, a.region_code, member_id=a.member_id)
    hulin_admin = keys.headers(Role.COUNTY_ADMIN, b.region_code)
    jixi_admin = keys.headers(Role.CITY_ADMIN, "230300")
    data_platform = keys.headers(Role.DATA_PLATFORM, "230000")
    async with reporting(platform) as r:
        await caught_up(platform, len(s.events))
        # A member sees only their own numbers, whatever they ask for.
        own = await summary(r, as_a, group_by="member", **YEAR_2026)
        assert [row["key"] for row in own["rows"]] == [str(a.member_id)]
        assert own["rows"][0]["counts"]["contacts"] == 2
        assert (await r.get(f"/v1/members/{a.member_id}/dossier", headers=as_a)).status_code == 200
        assert (await r.get(f"/v1/members/{b.member_id}/dossier", headers=as_a)).status_code == 404
        # A county sees its county; another county's or the city's numbers are not found.
        hulin = await summary(r, hulin_admin, **YEAR_2026)
        assert hulin["rows"][0]["counts"]["contacts"] == 1
        for region in ("230382", "230300"):
            denied = await r.get(
                "/v1/kpi/summary", headers=hulin_admin, params={"region_code": region}
            )
            assert denied.status_code == 404
        assert (
            await r.get(f"/v1/members/{a.member_id}/dossier", headers=hulin_admin)
        ).status_code == 404
        assert (
            await r.get(f"/v1/members/{d.member_id}/dossier", headers=jixi_admin)
        ).status_code == 404
        # Roles without KPI rights; the feed is the data platform's alone.
        for role in (Role.DATA_PLATFORM, Role.DEPARTMENT, Role.CONSTITUENT, Role.AUDITOR):
            response = await r.get("/v1/kpi/summary", headers=keys.headers(role, "230300"))
            assert response.status_code == 403, role
        assert (await r.get("/v1/feed", headers=jixi_admin)).status_code == 403
        # The dossier: a timeline and a yearly summary, and the CSV export.
        dossier = (await r.get(f"/v1/members/{a.member_id}/dossier", headers=jixi_admin)).json()
        assert dossier["member"]["full_name"] == a.full_name
        y2026 = next(y for y in dossier["years"] if y["year"] == 2026)
        assert y2026["kpis"]["counts"]["contacts"] == 2
        assert any(e["event_type"] == "visits.visit.recorded.v1" for e in dossier["timeline"])
        csv = await r.get(
            f"/v1/members/{a.member_id}/dossier", headers=jixi_admin, params={"format": "csv"}
        )
        assert csv.status_code == 200
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[0] == "occurred_at,event_type,subject_id,facts"
        # The feed: every page pulled, and every message the relay put on the topics.
        facts = sum(1 for e in s.events if e.topic.startswith("visits."))
        pages = await _feed_pages(r, data_platform)
        assert sum(len(json.loads(p)["items"]) for p in pages) == facts
        messages = await eventually(
            lambda: _all_feed_messages(platform),
            lambda found: len(found) == facts,
            timeout=60,
            what="every fact on the dataplatform topics",
        )
    _assert_no_personal_data(s, pages + messages)


async def _all_feed_messages(platform: Platform) -> list[str]:
    found: list[str] = []
    for spec in FEED_TOPICS:
        for message in await read_all(platform.stack.kafka_bootstrap, platform.topic(spec.name)):
            found.append(
                message.value.decode() + json.dumps({k: v.decode() for k, v in message.headers})
            )
    return found


def _assert_no_personal_data(s: scenario.Scenario, texts: list[str]) -> None:
    forbidden = [m.full_name for m in (s.a, s.b, s.d)] + s.liaison_names
    forbidden += [str(m.member_id) for m in (s.a, s.b, s.d)]
    forbidden += [e.title for e in s.events if isinstance(e, ObligationOpenedV1)]
    forbidden += [e.reference for e in s.events if isinstance(e, ConcernUpgradedV1)]
    forbidden += [str(x) for e in s.events for x in getattr(e, "liaison_ids", [])]
    assert texts
    for text in texts:
        for secret in forbidden:
            # raw, and as JSON would escape it
            assert secret not in text, secret
            assert json.dumps(secret)[1:-1] not in text, secret


async def test_dossier_facts_are_json_objects_and_older_lines_still_read(
    platform: Platform,
) -> None:
    a = Member(MISHAN, "education", "王建国")
    visit = a.visit(date(2026, 3, 5), "online", 5, 0)
    await publish_many(platform, [a.registered(), visit])
    # A line as written before 7 Dec 2026: its facts' JSON text stored as a JSON string.
    older = uuid4()
    async with reporting(platform) as r:
        await caught_up(platform, 2)
        # Queryable in Postgres: an object, not a string holding one.
        channel = await platform.fetchval(
            "reporting",
            "SELECT facts->>'channel' FROM timeline_entry WHERE event_id = $1",
            visit.event_id,
        )
        assert channel == "online"
        await platform.fetchval(
            "reporting",
            """INSERT INTO timeline_entry (event_id, member_id, occurred_at, event_type, facts)
               VALUES ($1, $2, '2026-03-06T02:00:00Z', 'visits.visit.recorded.v1',
                       to_jsonb('{"channel": "service"}'::text))""",
            older,
            a.member_id,
        )
        headers = platform.keys.headers(Role.CITY_ADMIN, "230300")
        dossier = (await r.get(f"/v1/members/{a.member_id}/dossier", headers=headers)).json()
    facts = {e["event_id"]: e["facts"] for e in dossier["timeline"]}
    assert facts[str(visit.event_id)]["channel"] == "online"
    assert facts[str(older)] == {"channel": "service"}
