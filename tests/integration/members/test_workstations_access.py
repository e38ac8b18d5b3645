"""Who sees and changes which workstation, who may be attached, and who holds duty there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from shared.auth import Role
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving

JIXI, HARBIN, MISHAN, HULIN = "230300", "230100", "230382", "230381"


@asynccontextmanager
async def _members(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = members_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        yield client


async def _register(client: httpx.AsyncClient, platform: Platform, region: str) -> str:
    body = {
        "full_name": "陈委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": region,
    }
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    response = await client.post("/v1/members", json=body, headers=jixi)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _open(client: httpx.AsyncClient, headers: dict[str, str], region: str) -> str:
    body = {"kind": "workroom", "name": "委员工作室", "region_code": region}
    response = await client.post("/v1/workstations", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _ids(page: httpx.Response) -> list[str]:
    assert page.status_code == 200, page.text
    return [w["id"] for w in page.json()["items"]]


async def test_another_citys_workstation_is_not_found_and_never_listed(platform: Platform) -> None:
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    harbin = platform.keys.headers(Role.CITY_ADMIN, HARBIN)
    async with _members(platform) as client:
        ws = await _open(client, jixi, MISHAN)
        url = f"/v1/workstations/{ws}"
        for response in [
            await client.get(url, headers=harbin),
            await client.patch(url, json={"name": "改名"}, headers=harbin),
            await client.put(f"{url}/members", json={"member_ids": []}, headers=harbin),
            await client.get(f"{url}/rota", headers=harbin),
            await client.post(f"{url}/close", headers=harbin),
            await client.get(f"/v1/workstations/{uuid4()}", headers=jixi),
        ]:
            assert response.status_code == 404, response.text
        assert _ids(await client.get("/v1/workstations", headers=harbin)) == []
        widened = await client.get("/v1/workstations", headers=harbin, params={"region_code": JIXI})
        assert _ids(widened) == [], "a region in the query must not widen the scope"
        assert (await client.get(url, headers=jixi)).json()["status"] == "open"


async def test_staff_in_the_area_read_registrars_write_and_others_see_nothing(
    platform: Platform,
) -> None:
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    mishan = platform.keys.headers(Role.COUNTY_ADMIN, MISHAN)
    hulin = platform.keys.headers(Role.COUNTY_ADMIN, HULIN)
    staff = platform.keys.headers(Role.COMMITTEE_STAFF, JIXI)
    department = platform.keys.headers(Role.DEPARTMENT, JIXI)
    async with _members(platform) as client:
        in_mishan = await _open(client, mishan, MISHAN)
        in_hulin = await _open(client, jixi, HULIN)
        assert sorted(_ids(await client.get("/v1/workstations", headers=jixi))) == sorted(
            [in_mishan, in_hulin]
        )
        assert _ids(await client.get("/v1/workstations", headers=hulin)) == [in_hulin]
        wider = await client.get("/v1/workstations", headers=hulin, params={"region_code": JIXI})
        assert _ids(wider) == [in_hulin], "a wider filter leaves the caller's own area"
        only_mishan = await client.get(
            "/v1/workstations", headers=jixi, params={"region_code": MISHAN, "kind": "workroom"}
        )
        assert _ids(only_mishan) == [in_mishan]
        first = await client.get("/v1/workstations", headers=jixi, params={"limit": 1})
        cursor = first.json()["next_cursor"]
        rest = await client.get("/v1/workstations", headers=jixi, params={"after": cursor})
        assert sorted(_ids(first) + _ids(rest)) == sorted([in_mishan, in_hulin])

        url = f"/v1/workstations/{in_mishan}"
        assert (await client.get(url, headers=staff)).status_code == 200
        assert (await client.patch(url, json={"name": "改名"}, headers=staff)).status_code == 403
        assert (await client.get(url, headers=hulin)).status_code == 404
        assert (await client.get(url, headers=department)).status_code == 404
        assert (await client.get("/v1/workstations", headers=department)).status_code == 403
        assert (await client.post(f"{url}/close", headers=staff)).status_code == 403
        assert (await client.get(url, headers=jixi)).json()["status"] == "open"


async def test_a_member_sees_only_the_workstations_they_are_attached_to(
    platform: Platform,
) -> None:
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        me, other = (
            await _register(client, platform, MISHAN),
            await _register(client, platform, MISHAN),
        )
        mine, theirs = await _open(client, jixi, MISHAN), await _open(client, jixi, MISHAN)
        await client.put(
            f"/v1/workstations/{mine}/members", json={"member_ids": [me]}, headers=jixi
        )
        await client.put(
            f"/v1/workstations/{theirs}/members", json={"member_ids": [other]}, headers=jixi
        )
        rota = {"entries": [{"member_id": me, "date": "2026-12-01", "shift": "morning"}]}
        await client.put(f"/v1/workstations/{mine}/rota", json=rota, headers=jixi)

        member = platform.keys.headers(Role.MEMBER, MISHAN, member_id=UUID(me))
        assert _ids(await client.get("/v1/workstations", headers=member)) == [mine]
        assert (await client.get(f"/v1/workstations/{mine}", headers=member)).status_code == 200
        assert (await client.get(f"/v1/workstations/{theirs}", headers=member)).status_code == 404
        duty = await client.get(f"/v1/workstations/{mine}/rota", headers=member)
        assert duty.json()["entries"] == rota["entries"]
        changed = await client.patch(f"/v1/workstations/{mine}", json={"name": "x"}, headers=member)
        assert changed.status_code == 403


async def test_only_serving_members_in_your_area_can_be_attached(platform: Platform) -> None:
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    mishan = platform.keys.headers(Role.COUNTY_ADMIN, MISHAN)
    async with _members(platform) as client:
        local, across = (
            await _register(client, platform, MISHAN),
            await _register(client, platform, HULIN),
        )
        retired = await _register(client, platform, MISHAN)
        assert (await client.post(f"/v1/members/{retired}/retire", headers=jixi)).status_code == 200
        ws = await _open(client, mishan, MISHAN)
        url = f"/v1/workstations/{ws}/members"
        for refused in ([local, across], [local, str(uuid4())], [retired]):
            response = await client.put(url, json={"member_ids": refused}, headers=mishan)
            assert response.status_code == 422, response.text
        ok = await client.put(url, json={"member_ids": [local]}, headers=mishan)
        assert ok.json()["member_ids"] == [local]
        wider = await client.put(url, json={"member_ids": [local, across]}, headers=jixi)
        assert wider.status_code == 200, "the city office sees Hulin's members too"
        assert (await client.get(f"/v1/workstations/{ws}", headers=mishan)).json()[
            "member_ids"
        ] == sorted([local, across])


async def test_only_attached_members_hold_duty_and_detaching_clears_their_duty(
    platform: Platform,
) -> None:
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        first, second, stranger = [await _register(client, platform, MISHAN) for _ in range(3)]
        ws = await _open(client, jixi, MISHAN)
        url = f"/v1/workstations/{ws}"
        await client.put(f"{url}/members", json={"member_ids": [first, second]}, headers=jixi)
        entries: list[dict[str, Any]] = [
            {"member_id": second, "date": "2026-12-02", "shift": "day"},
            {"member_id": first, "date": "2026-12-01", "shift": "evening"},
            {"member_id": first, "date": "2026-12-01", "shift": "evening"},
        ]
        bad = await client.put(
            f"{url}/rota",
            json={"entries": [*entries, {"member_id": stranger, "date": "2026-12-03"}]},
            headers=jixi,
        )
        assert bad.status_code == 422
        assert stranger in bad.json()["detail"]
        saved = await client.put(f"{url}/rota", json={"entries": entries}, headers=jixi)
        assert saved.status_code == 200, saved.text
        assert saved.json()["entries"] == [entries[1], entries[0]], "by date, repeats collapsed"
        december_2 = await client.get(
            f"{url}/rota", headers=jixi, params={"from": "2026-12-02", "to": "2026-12-31"}
        )
        assert december_2.json()["entries"] == [entries[0]]

        await client.put(f"{url}/members", json={"member_ids": [first]}, headers=jixi)
        left = await client.get(f"{url}/rota", headers=jixi)
        assert left.json()["entries"] == [entries[1]]
