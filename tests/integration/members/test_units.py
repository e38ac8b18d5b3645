"""A member's one grassroots unit (基层单元): linked, re-linked in place, announced on change."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID, uuid4

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from shared.auth import Role
from shared.contracts.topics import MEMBERS_MEMBER
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI, HARBIN, MISHAN, HULIN = "230300", "230100", "230382", "230381"
SCHOOL = {
    "name": "密山市第一中学",
    "kind": "school",
    "region_code": MISHAN,
    "address": "密山市中心街",
}
UNIT_LINKED = "members.member.unit_linked.v1"


@asynccontextmanager
async def _members(platform: Platform) -> AsyncIterator[tuple[httpx.AsyncClient, UUID]]:
    app = members_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        body = {
            "full_name": "陈委员",
            "sector_code": "education",
            "committee_code": JIXI_COMMITTEE,
            "region_code": MISHAN,
        }
        response = await client.post("/v1/members", json=body, headers=_admin(platform))
        assert response.status_code == 201, response.text
        yield client, UUID(response.json()["id"])


def _admin(platform: Platform) -> dict[str, str]:
    return platform.keys.headers(Role.CITY_ADMIN, JIXI)


async def _unit_events(platform: Platform) -> list[Any]:
    try:
        messages = await read_all(
            platform.stack.kafka_bootstrap, platform.topic(MEMBERS_MEMBER.name)
        )
    except AssertionError:  # read_all gives up on the topic's metadata quickly under load
        return []
    return [m for m in messages if dict(m.headers).get("ce_type") == UNIT_LINKED.encode()]


async def test_re_linking_replaces_the_unit_in_place_and_only_a_change_is_announced(
    platform: Platform,
) -> None:
    async with _members(platform) as (client, member_id):
        url = f"/v1/members/{member_id}/unit"
        first = await client.put(url, json=SCHOOL, headers=_admin(platform))
        same = await client.put(url, json=SCHOOL, headers=_admin(platform))
        farm = {"name": "兴凯湖农场", "kind": "farm", "region_code": MISHAN}
        moved = await client.put(url, json=farm, headers=_admin(platform))
        read = await client.get(url, headers=_admin(platform))
        events = await eventually(
            lambda: _unit_events(platform), lambda e: len(e) >= 2, what="two unit_linked events"
        )
    assert (first.status_code, same.status_code, moved.status_code) == (201, 200, 200)
    assert first.json()["id"] == same.json()["id"] == moved.json()["id"]
    assert read.json() == moved.json()
    assert (read.json()["name"], read.json()["kind"], read.json()["address"]) == (
        "兴凯湖农场",
        "farm",
        None,
    )
    assert await platform.fetchval("members", "SELECT count(*) FROM grassroots_unit") == 1
    linked = "SELECT count(*) FROM outbox_message WHERE event_type = $1"
    assert await platform.fetchval("members", linked, UNIT_LINKED) == 2, "none for the no-op"
    bodies = [json.loads(m.value) for m in events]
    assert [(b["unit_name"], b["unit_kind"]) for b in bodies] == [
        ("密山市第一中学", "school"),
        ("兴凯湖农场", "farm"),
    ]
    assert {m.key for m in events} == {str(member_id).encode()}
    assert {b["unit_id"] for b in bodies} == {first.json()["id"]}
    assert {b["region_code"] for b in bodies} == {MISHAN}


async def test_the_member_links_their_own_unit_and_others_are_refused(platform: Platform) -> None:
    async with _members(platform) as (client, member_id):
        url = f"/v1/members/{member_id}/unit"
        keys = platform.keys
        own = await client.put(
            url, json=SCHOOL, headers=keys.headers(Role.MEMBER, MISHAN, member_id=member_id)
        )
        staff = await client.put(url, json=SCHOOL, headers=keys.headers(Role.COMMITTEE_STAFF, JIXI))
        not_found = [
            keys.headers(Role.MEMBER, MISHAN, member_id=uuid4()),
            keys.headers(Role.CITY_ADMIN, HARBIN),
            keys.headers(Role.COUNTY_ADMIN, HULIN),
            keys.headers(Role.DEPARTMENT, JIXI),
            keys.headers(Role.AUDITOR, "230000"),
        ]
        puts = [await client.put(url, json=SCHOOL, headers=h) for h in not_found]
        gets = [await client.get(url, headers=h) for h in not_found]
        staff_read = await client.get(url, headers=keys.headers(Role.COMMITTEE_STAFF, JIXI))
    assert own.status_code == 201, own.text
    assert staff.status_code == 403
    assert [r.status_code for r in puts + gets] == [404] * 10
    assert staff_read.status_code == 200
    assert await platform.fetchval("members", "SELECT count(*) FROM grassroots_unit") == 1


async def test_an_unknown_kind_or_a_unit_outside_the_members_region_is_refused(
    platform: Platform,
) -> None:
    async with _members(platform) as (client, member_id):
        url = f"/v1/members/{member_id}/unit"
        none_yet = await client.get(url, headers=_admin(platform))
        bad_kind = await client.put(
            url, json={**SCHOOL, "kind": "castle"}, headers=_admin(platform)
        )
        elsewhere = await client.put(
            url, json={**SCHOOL, "region_code": HULIN}, headers=_admin(platform)
        )
        unknown_member = await client.put(
            f"/v1/members/{uuid4()}/unit", json=SCHOOL, headers=_admin(platform)
        )
    assert none_yet.status_code == 404
    assert (bad_kind.status_code, elsewhere.status_code) == (422, 422)
    assert "inside the member's region" in elsewhere.json()["detail"]
    assert unknown_member.status_code == 404
    assert await platform.fetchval("members", "SELECT count(*) FROM grassroots_unit") == 0
    linked = "SELECT count(*) FROM outbox_message WHERE event_type = $1"
    assert await platform.fetchval("members", linked, UNIT_LINKED) == 0
