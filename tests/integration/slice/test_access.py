"""Scope: callers see and create only inside their region (members: only their own record)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID, uuid4

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving

PROVINCE, JIXI, HARBIN, MISHAN = "230000", "230300", "230100", "230382"


def _member(region: str) -> dict[str, str]:
    return {
        "full_name": "陈委员",
        "sector_code": "science_tech",
        "committee_code": JIXI_COMMITTEE,
        "region_code": region,
    }


@asynccontextmanager
async def _members(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = members_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        yield client


async def test_creating_outside_your_region_is_refused_and_writes_nothing(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
        response = await client.post("/v1/members", json=_member(HARBIN), headers=jixi)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        smuggled = {**_member(HARBIN), "role": "province_admin", "region_scope": PROVINCE}
        assert (await client.post("/v1/members", json=smuggled, headers=jixi)).status_code == 422
    assert await platform.fetchval("members", "SELECT count(*) FROM member") == 0
    assert await platform.fetchval("members", "SELECT count(*) FROM outbox_message") == 0


async def test_another_citys_member_is_not_found_and_never_listed(platform: Platform) -> None:
    async with _members(platform) as client:
        jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
        harbin = platform.keys.headers(Role.CITY_ADMIN, HARBIN)
        created = await client.post("/v1/members", json=_member(MISHAN), headers=jixi)
        member_id = created.json()["id"]

        assert (await client.get(f"/v1/members/{member_id}", headers=harbin)).status_code == 404
        assert (await client.get(f"/v1/members/{uuid4()}", headers=jixi)).status_code == 404
        listed = await client.get("/v1/members", headers=harbin, params={"region_code": JIXI})
        assert listed.json()["items"] == [], "a region in the query must not widen the scope"

        province = platform.keys.headers(Role.PROVINCE_ADMIN, PROVINCE)
        assert (await client.get(f"/v1/members/{member_id}", headers=province)).status_code == 200
        county = platform.keys.headers(Role.COUNTY_ADMIN, MISHAN)
        listed = (await client.get("/v1/members", headers=county)).json()["items"]
        assert [m["id"] for m in listed] == [member_id]


async def test_a_member_sees_only_their_own_record(platform: Platform) -> None:
    async with _members(platform) as client:
        jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
        first = (await client.post("/v1/members", json=_member(MISHAN), headers=jixi)).json()
        second = (await client.post("/v1/members", json=_member(MISHAN), headers=jixi)).json()
        me = platform.keys.headers(Role.MEMBER, MISHAN, member_id=UUID(first["id"]))
        assert (await client.get(f"/v1/members/{first['id']}", headers=me)).status_code == 200
        assert (await client.get(f"/v1/members/{second['id']}", headers=me)).status_code == 404
        assert (await client.get("/v1/members", headers=me)).status_code == 403


async def test_requests_without_a_valid_token_are_unauthorised(platform: Platform) -> None:
    async with _members(platform) as client:
        assert (await client.get("/v1/members")).status_code == 401
        bad = {"Authorization": "Bearer not-a-token"}
        response = await client.get("/v1/members", headers=bad)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


async def test_counts_outside_your_region_are_not_found(platform: Platform) -> None:
    app = reporting_app(platform.settings(ReportingSettings, "reporting"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        harbin = platform.keys.headers(Role.CITY_ADMIN, HARBIN)
        other = await client.get(
            "/v1/kpi/member-counts", headers=harbin, params={"region_code": JIXI}
        )
        assert other.status_code == 404
        wider = await client.get(
            "/v1/kpi/member-counts", headers=harbin, params={"region_code": PROVINCE}
        )
        assert wider.status_code == 404
        own = await client.get("/v1/kpi/member-counts", headers=harbin)
        assert own.status_code == 200
        assert own.json()["region_code"] == HARBIN
