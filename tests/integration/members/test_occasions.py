"""Declared occasions (八必访 1-4) and policies on the real stack: who declares, what is
published where, and whom each occasion concerns."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from shared.auth import Role
from shared.contracts.topics import MEMBERS_OCCASION, MEMBERS_POLICY
from shared.kernel import FixedClock
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

PROVINCE, JIXI, HARBIN, MISHAN, HULIN = "230000", "230300", "230100", "230382", "230381"
# 10:00 in China on 4 Sep 2026: "today" for every rule about dates below.
NOW = datetime(2026, 9, 4, 2, 0, tzinfo=UTC)
UNSENT = "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"


@asynccontextmanager
async def _members(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = members_app(platform.settings(MembersSettings, "members"), clock=FixedClock(NOW))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


def _occasion(kind: str = "leader_speech", **overrides: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "title": "学习贯彻重要讲话精神",
        "occurs_on": "2026-09-01",
        "sector_codes": ["education"],
        "region_codes": [PROVINCE],
        **overrides,
    }


def _policy(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "关于加强乡村教师队伍建设的意见",
        "issued_on": "2026-09-03",
        "sector_codes": ["education", "agriculture"],
        "region_codes": [JIXI],
        **overrides,
    }


async def _published(platform: Platform, topic: str, count: int) -> list[Any]:
    await eventually(lambda: platform.fetchval("members", UNSENT), lambda n: n == 0)
    return await eventually(
        lambda: read_all(platform.stack.kafka_bootstrap, platform.topic(topic)),
        lambda messages: len(messages) >= count,
        what=f"{count} messages on {topic}",
    )


async def test_each_kind_is_declared_and_a_policy_goes_to_its_own_topic(
    platform: Platform,
) -> None:
    province = platform.keys.headers(Role.PROVINCE_ADMIN, PROVINCE)
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        declared = {}
        for kind, occurs_on in [
            ("leader_speech", "2026-09-01"),
            ("congress_closed", "2026-09-04"),
            ("plenary_upcoming", "2027-01-20"),
        ]:
            body = _occasion(kind, occurs_on=occurs_on)
            response = await client.post("/v1/occasions", json=body, headers=province)
            assert response.status_code == 201, response.text
            declared[response.json()["id"]] = kind
        policy = await client.post("/v1/policies", json=_policy(), headers=jixi)
        assert policy.status_code == 201, policy.text
        assert policy.json()["kind"] == "policy_issued"
        assert policy.json()["occurs_on"] == "2026-09-03"
        assert policy.json()["sector_codes"] == ["agriculture", "education"]

        occasions = await _published(platform, MEMBERS_OCCASION.name, 3)
        policies = await _published(platform, MEMBERS_POLICY.name, 1)
    bodies = {m.key.decode(): json.loads(m.value) for m in occasions}
    assert {k: b["kind"] for k, b in bodies.items()} == declared, "the policy is not here"
    assert {dict(m.headers)["ce_type"] for m in occasions} == {b"members.occasion.declared.v1"}
    plenary = next(b for b in bodies.values() if b["kind"] == "plenary_upcoming")
    assert plenary["occurs_on"] == "2027-01-20"
    assert plenary["region_codes"] == [PROVINCE]
    assert plenary["region_code"] == PROVINCE
    assert len(policies) == 1
    issued = json.loads(policies[0].value)
    assert policies[0].key.decode() == issued["occasion_id"] == policy.json()["id"]
    assert dict(policies[0].headers)["ce_type"] == b"members.policy.issued.v1"
    assert issued["issued_on"] == "2026-09-03"
    assert issued["region_codes"] == [JIXI]
    assert issued["region_code"] == JIXI


async def test_declarations_are_checked_and_a_refused_one_writes_nothing(
    platform: Platform,
) -> None:
    province = platform.keys.headers(Role.PROVINCE_ADMIN, PROVINCE)
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    staff = platform.keys.headers(Role.COMMITTEE_STAFF, JIXI)
    async with _members(platform) as client:
        cases = [
            ("/v1/occasions", _occasion(sector_codes=["astrology"]), province, 422),
            ("/v1/occasions", _occasion(sector_codes=[]), province, 422),
            ("/v1/occasions", _occasion(region_codes=[HARBIN]), jixi, 403),
            ("/v1/occasions", _occasion(region_codes=[PROVINCE]), jixi, 403),
            ("/v1/occasions", _occasion(region_codes=[JIXI]), staff, 403),
            ("/v1/policies", _policy(), staff, 403),
            ("/v1/occasions", _occasion(region_codes=["230399"]), jixi, 422),  # no such county
            ("/v1/occasions", _occasion("sector_festival"), province, 422),
            ("/v1/occasions", _occasion("policy_issued"), province, 422),
            ("/v1/occasions", _occasion(occurs_on="2026-09-05"), province, 422),  # not yet
            ("/v1/occasions", _occasion("plenary_upcoming", occurs_on="2026-09-03"), province, 422),
            ("/v1/policies", _policy(issued_on="2026-10-01"), jixi, 422),
            ("/v1/policies", _policy(title=" "), jixi, 422),
        ]
        for path, body, headers, status in cases:
            response = await client.post(path, json=body, headers=headers)
            assert response.status_code == status, (body, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        member = platform.keys.headers(Role.MEMBER, MISHAN, member_id=uuid4())
        assert (
            await client.post("/v1/occasions", json=_occasion(), headers=member)
        ).status_code == 403
    assert await platform.fetchval("members", "SELECT count(*) FROM occasion") == 0
    assert await platform.fetchval("members", "SELECT count(*) FROM outbox_message") == 0


async def test_callers_see_the_occasions_that_concern_their_area(platform: Platform) -> None:
    province = platform.keys.headers(Role.PROVINCE_ADMIN, PROVINCE)
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:

        async def declare(headers: dict[str, str], regions: list[str], **extra: Any) -> str:
            body = _occasion(region_codes=regions, **extra)
            response = await client.post("/v1/occasions", json=body, headers=headers)
            assert response.status_code == 201, response.text
            return str(response.json()["id"])

        everywhere = await declare(province, [PROVINCE])
        in_jixi = await declare(jixi, [JIXI], kind="congress_closed", occurs_on="2026-08-20")
        in_mishan = await declare(platform.keys.headers(Role.COUNTY_ADMIN, MISHAN), [MISHAN])
        in_harbin = await declare(province, [HARBIN], sector_codes=["agriculture"])

        async def seen(role: Role, region: str, **params: str) -> set[str]:
            """Every page, following the cursor."""
            headers, found = platform.keys.headers(role, region), []
            while True:
                response = await client.get("/v1/occasions", headers=headers, params=params)
                assert response.status_code == 200, response.text
                found += [o["id"] for o in response.json()["items"]]
                if response.json()["next_cursor"] is None:
                    return set(found)
                params = {**params, "after": response.json()["next_cursor"]}

        assert await seen(Role.PROVINCE_ADMIN, PROVINCE, limit="1") == {
            everywhere,
            in_jixi,
            in_mishan,
            in_harbin,
        }
        assert await seen(Role.CITY_ADMIN, JIXI, limit="2") == {everywhere, in_jixi, in_mishan}
        assert await seen(Role.COUNTY_ADMIN, HULIN) == {everywhere, in_jixi}
        assert await seen(Role.COMMITTEE_STAFF, MISHAN) == {everywhere, in_jixi, in_mishan}
        assert await seen(Role.CITY_ADMIN, HARBIN) == {everywhere, in_harbin}
        assert await seen(Role.CITY_ADMIN, JIXI, kind="congress_closed") == {in_jixi}
        assert await seen(Role.PROVINCE_ADMIN, PROVINCE, sector_code="agriculture") == {in_harbin}
        august = {"from": "2026-08-01", "to": "2026-08-31"}
        assert await seen(Role.CITY_ADMIN, JIXI, **august) == {in_jixi}

        assert (await client.get(f"/v1/occasions/{in_harbin}", headers=jixi)).status_code == 404
        assert (await client.get(f"/v1/occasions/{everywhere}", headers=jixi)).status_code == 200
        department = platform.keys.headers(Role.DEPARTMENT, JIXI)
        assert (await client.get("/v1/occasions", headers=department)).status_code == 403


async def test_a_retried_policy_is_issued_once(platform: Platform) -> None:
    jixi = {**platform.keys.headers(Role.CITY_ADMIN, JIXI), "Idempotency-Key": "policy-42"}
    async with _members(platform) as client:
        first = await client.post("/v1/policies", json=_policy(), headers=jixi)
        again = await client.post("/v1/policies", json=_policy(), headers=jixi)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["id"] == first.json()["id"]
        as_occasion = await client.post(
            "/v1/occasions", json=_occasion(region_codes=[JIXI]), headers=jixi
        )
        assert as_occasion.status_code == 409, "one key, one request"
    assert await platform.fetchval("members", "SELECT count(*) FROM occasion") == 1
    assert await platform.fetchval("members", "SELECT count(*) FROM outbox_message") == 1
