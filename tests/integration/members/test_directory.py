"""The members directory: organisation, registration with idempotency keys, updates, retirement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.members.main import create_app
from services.members.settings import MembersSettings
from shared.auth import Role
from shared.contracts.topics import MEMBERS_MEMBER
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

PROVINCE, JIXI, HARBIN, MISHAN = "230000", "230300", "230100", "230382"


@asynccontextmanager
async def _members(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        yield client


def _profile(**overrides: Any) -> dict[str, Any]:
    return {
        "full_name": "刘委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
        **overrides,
    }


async def _event_types(platform: Platform, count: int) -> list[str]:
    topic = platform.topic(MEMBERS_MEMBER.name)
    messages = await eventually(
        lambda: read_all(platform.stack.kafka_bootstrap, topic), lambda m: len(m) >= count
    )
    return [dict(m.headers)["ce_type"].decode() for m in messages]


async def test_the_same_idempotency_key_returns_the_first_member_and_creates_one(
    platform: Platform,
) -> None:
    admin = {**platform.keys.headers(Role.CITY_ADMIN, JIXI), "Idempotency-Key": "row-17"}
    async with _members(platform) as client:
        first = await client.post("/v1/members", json=_profile(), headers=admin)
        again = await client.post("/v1/members", json=_profile(), headers=admin)
        other = await client.post("/v1/members", json=_profile(full_name="别人"), headers=admin)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 409
    assert await platform.fetchval("members", "SELECT count(*) FROM member") == 1
    assert await platform.fetchval("members", "SELECT count(*) FROM outbox_message") == 1


async def test_unknown_references_are_clear_422s_and_write_nothing(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        sector = await client.post(
            "/v1/members", json=_profile(sector_code="astrology"), headers=admin
        )
        committee = await client.post(
            "/v1/members", json=_profile(committee_code="cppcc-999999"), headers=admin
        )
    assert sector.status_code == 422
    assert sector.json()["detail"] == "unknown sector_code"
    assert committee.json()["detail"] == "unknown committee_code"
    assert await platform.fetchval("members", "SELECT count(*) FROM outbox_message") == 0


async def test_updates_publish_the_new_state_only_when_something_changed(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        member = (await client.post("/v1/members", json=_profile(), headers=admin)).json()
        path = f"/v1/members/{member['id']}"
        same = await client.put(path, json={**_profile(), "status": "active"}, headers=admin)
        leave = await client.put(path, json={**_profile(), "status": "on_leave"}, headers=admin)
        retired = await client.post(f"{path}/retire", headers=admin)
        after = await client.put(path, json={**_profile(), "status": "active"}, headers=admin)
        # While the service (and so its outbox relay) still runs.
        published = await _event_types(platform, 3)
    assert same.status_code == 200
    assert leave.json()["status"] == "on_leave"
    assert retired.json()["status"] == "retired"
    assert after.status_code == 409
    assert published == [
        "members.member.registered.v1",
        "members.member.updated.v1",
        "members.member.retired.v1",
    ]


async def test_a_member_below_the_liaison_quota_sees_a_warning_not_an_error(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        member = (await client.post("/v1/members", json=_profile(), headers=admin)).json()
        detail = await client.get(f"/v1/members/{member['id']}", headers=admin)
    assert detail.status_code == 200
    assert detail.json()["linked_liaisons"] == 0
    assert detail.json()["warnings"] == ["below the liaison quota: 0 linked, at least 8 expected"]


async def test_the_sector_list_is_seeded_with_the_national_sectors_and_festivals(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        county = platform.keys.headers(Role.COUNTY_ADMIN, MISHAN)
        sectors = (await client.get("/v1/sectors", headers=county)).json()
    by_code = {s["code"]: s for s in sectors}
    assert len(by_code) == 34
    assert by_code["education"]["festivals"] == [{"name": "教师节", "month": 9, "day": 10}]
    assert {f["name"] for f in by_code["medicine_health"]["festivals"]} == {
        "国际护士节",
        "中国医师节",
    }


async def test_cities_add_their_own_localities_and_committees_only(platform: Platform) -> None:
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    harbin = platform.keys.headers(Role.CITY_ADMIN, HARBIN)
    town = {"code": "230382100", "name": "密山镇"}
    async with _members(platform) as client:
        assert (await client.post("/v1/regions", json=town, headers=harbin)).status_code == 403
        created = await client.post("/v1/regions", json=town, headers=jixi)
        assert created.status_code == 201
        assert created.json() == {**town, "level": "township", "parent_code": MISHAN}
        orphan = await client.post(
            "/v1/regions", json={"code": "230382999001", "name": "无"}, headers=jixi
        )
        assert orphan.status_code == 422
        special = {
            "code": "cppcc-230300-edu",
            "name": "教科卫体委员会",
            "committee_code": JIXI_COMMITTEE,
        }
        assert (
            await client.post("/v1/special-committees", json=special, headers=harbin)
        ).status_code == 422
        assert (
            await client.post("/v1/special-committees", json=special, headers=jixi)
        ).status_code == 201
        listed = (await client.get("/v1/special-committees", headers=harbin)).json()
    assert listed == []
