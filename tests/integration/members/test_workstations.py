"""Workstations (委员工作站) on the real stack: lifecycle, its events, and a closed one's 409s."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from shared.auth import Role
from shared.contracts.topics import MEMBERS_WORKSTATION
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI, MISHAN = "230300", "230382"
UNSENT = "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"


@asynccontextmanager
async def _members(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = members_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        yield client


async def _register(client: httpx.AsyncClient, admin: dict[str, str], name: str) -> str:
    body = {
        "full_name": name,
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
    }
    response = await client.post("/v1/members", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _workstation(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "workstation",
        "name": "密山市裴德镇委员工作站",
        "region_code": MISHAN,
        "locality_code": "230382100",
        "head_name": "王书记",
        **overrides,
    }


async def _workstation_events(platform: Platform, count: int) -> list[Any]:
    topic = platform.topic(MEMBERS_WORKSTATION.name)
    await eventually(lambda: platform.fetchval("members", UNSENT), lambda n: n == 0)
    return await eventually(
        lambda: read_all(platform.stack.kafka_bootstrap, topic),
        lambda messages: len(messages) >= count,
        what=f"{count} workstation events",
    )


async def test_a_workstation_opens_changes_and_closes_with_one_event_per_real_change(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        special = {"code": "jixi-jkwt", "name": "教科卫体委员会", "committee_code": JIXI_COMMITTEE}
        assert (
            await client.post("/v1/special-committees", json=special, headers=admin)
        ).status_code == 201
        first, second = [await _register(client, admin, n) for n in ("张老师", "李老师")]
        opened = await client.post(
            "/v1/workstations",
            json=_workstation(guiding_special_committee_code="jixi-jkwt"),
            headers=admin,
        )
        assert opened.status_code == 201, opened.text
        ws = opened.json()
        assert ws["status"] == "open"
        assert ws["member_ids"] == []
        assert opened.headers["location"] == f"/v1/workstations/{ws['id']}"
        url = f"/v1/workstations/{ws['id']}"

        attached = await client.put(
            f"{url}/members", json={"member_ids": [second, first, first]}, headers=admin
        )
        assert attached.status_code == 200, attached.text
        assert attached.json()["member_ids"] == sorted([first, second])
        again = await client.put(
            f"{url}/members", json={"member_ids": [first, second]}, headers=admin
        )
        assert again.status_code == 200
        renamed = await client.patch(url, json={"name": "裴德镇委员工作站"}, headers=admin)
        assert renamed.json()["name"] == "裴德镇委员工作站"
        assert renamed.json()["head_name"] == "王书记", "fields not sent stay as they were"
        same = await client.patch(url, json={"name": "裴德镇委员工作站"}, headers=admin)
        assert same.status_code == 200
        for invalid in ({"name": None}, {"status": "closed"}):
            assert (await client.patch(url, json=invalid, headers=admin)).status_code == 422
        head_only = await client.patch(url, json={"head_name": None}, headers=admin)
        assert head_only.json()["head_name"] is None
        closed = await client.post(f"{url}/close", headers=admin)
        assert closed.status_code == 200
        assert closed.json()["status"] == "closed"
        assert closed.json()["closed_at"] is not None

        events = await _workstation_events(platform, 4)
    types = [dict(m.headers)["ce_type"].decode() for m in events]
    assert types == [
        "members.workstation.opened.v1",
        "members.workstation.changed.v1",
        "members.workstation.changed.v1",
        "members.workstation.closed.v1",
    ], "no event for a repeat, nor for the head (not in the contract)"
    assert {m.key.decode() for m in events} == {ws["id"]}
    bodies = [json.loads(m.value) for m in events]
    assert bodies[0]["guiding_special_committee_code"] == "jixi-jkwt"
    assert bodies[0]["region_code"] == MISHAN
    assert bodies[1]["member_ids"] == sorted([first, second])
    assert bodies[2]["name"] == "裴德镇委员工作站"
    assert bodies[2]["member_ids"] == sorted([first, second]), "the whole new state"


async def test_a_closed_workstation_refuses_every_change_but_can_still_be_read(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        member = await _register(client, admin, "张老师")
        ws = (await client.post("/v1/workstations", json=_workstation(), headers=admin)).json()
        url = f"/v1/workstations/{ws['id']}"
        await client.put(f"{url}/members", json={"member_ids": [member]}, headers=admin)
        rota = {"entries": [{"member_id": member, "date": "2026-12-01"}]}
        assert (await client.put(f"{url}/rota", json=rota, headers=admin)).status_code == 200
        assert (await client.post(f"{url}/close", headers=admin)).status_code == 200

        refused = [
            await client.patch(url, json={"name": "新名字"}, headers=admin),
            await client.put(f"{url}/members", json={"member_ids": []}, headers=admin),
            await client.put(f"{url}/rota", json=rota, headers=admin),
            await client.post(f"{url}/close", headers=admin),
        ]
        assert [r.status_code for r in refused] == [409, 409, 409, 409]
        assert refused[0].headers["content-type"] == "application/problem+json"
        read = await client.get(url, headers=admin)
        assert read.status_code == 200
        assert read.json()["member_ids"] == [member]
        kept = await client.get(f"{url}/rota", headers=admin)
        assert kept.json()["entries"] == [
            {"member_id": member, "date": "2026-12-01", "shift": "day"}
        ]
        listed = await client.get("/v1/workstations", headers=admin, params={"status": "closed"})
        assert [w["id"] for w in listed.json()["items"]] == [ws["id"]]
        still_open = await client.get("/v1/workstations", headers=admin, params={"status": "open"})
        assert still_open.json()["items"] == []


async def test_opening_twice_with_one_idempotency_key_opens_one_workstation(
    platform: Platform,
) -> None:
    admin = {**platform.keys.headers(Role.CITY_ADMIN, JIXI), "Idempotency-Key": "ws-1"}
    async with _members(platform) as client:
        first = await client.post("/v1/workstations", json=_workstation(), headers=admin)
        second = await client.post("/v1/workstations", json=_workstation(), headers=admin)
        other = await client.post(
            "/v1/workstations", json=_workstation(name="别的工作站"), headers=admin
        )
        assert (first.status_code, second.status_code, other.status_code) == (201, 200, 409)
        assert second.json()["id"] == first.json()["id"]
    assert await platform.fetchval("members", "SELECT count(*) FROM workstation") == 1
    assert await platform.fetchval("members", "SELECT count(*) FROM outbox_message") == 1


async def test_a_workstation_must_sit_in_a_known_city_or_county_with_a_fitting_locality(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    province = platform.keys.headers(Role.PROVINCE_ADMIN, "230000")
    async with _members(platform) as client:
        cases = [
            (_workstation(locality_code="230381100"), admin, 422),  # a Hulin township
            (_workstation(locality_code="2303821"), admin, 422),
            (_workstation(region_code="230000", locality_code=None), province, 422),
            (_workstation(region_code="230399", locality_code=None), admin, 422),  # unknown
            (_workstation(guiding_special_committee_code="nobody"), admin, 422),
            (_workstation(kind="office"), admin, 422),
            (_workstation(region_code="230100", locality_code=None), admin, 403),
        ]
        for body, headers, status in cases:
            response = await client.post("/v1/workstations", json=body, headers=headers)
            assert response.status_code == status, (body, response.text)
        first = await client.post(
            "/v1/workstations", json=_workstation(external_id="x-1"), headers=admin
        )
        assert first.status_code == 201
        taken = await client.post(
            "/v1/workstations", json=_workstation(external_id="x-1"), headers=admin
        )
        assert taken.status_code == 409
    assert await platform.fetchval("members", "SELECT count(*) FROM workstation") == 1
