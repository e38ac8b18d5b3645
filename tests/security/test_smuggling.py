"""A role, region or member smuggled in the query, a header or the body changes nothing: the
token alone says who is calling and what they may see."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from shared.auth import Role
from tests.security.routes import OPEN, ROUTES, operations
from tests.security.world import HARBIN, JIXI, PROVINCE, World
from tests.support.platform import SERVICES

# The first test also starts the four services and seeds both cities, on a shared machine.
pytestmark = [pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(900)]

SKIP = {"/v1/inbox/stream"}  # a stream never ends; it reads the same inbox key as /v1/inbox
HEADERS = {"X-Role": "province_admin", "X-Region": PROVINCE, "X-Forwarded-User": "admin"}


def _callers(world: World) -> dict[str, tuple[Role, str, str | None]]:
    jixi_member = world.members[JIXI.name][0]
    return {
        "jixi city admin": (Role.CITY_ADMIN, JIXI.code, None),
        "mishan county admin": (Role.COUNTY_ADMIN, JIXI.county, None),
        "jixi member": (Role.MEMBER, JIXI.county, jixi_member),
        "jixi constituent": (Role.CONSTITUENT, JIXI.county, None),
        "jixi department": (Role.DEPARTMENT, JIXI.code, None),
        "jixi data platform": (Role.DATA_PLATFORM, JIXI.code, None),
        "jixi auditor": (Role.AUDITOR, JIXI.code, None),
    }


def _harbin_bits(world: World, value: Any) -> list[str]:
    """Harbin's object ids and region codes anywhere in an answer to a Jixi caller."""
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    ids = [o.id for objs in world.objects.values() for o in objs if o.city is HARBIN]
    return [i for i in ids if i in text] + [
        r for r in _region_codes(value) if r.startswith(HARBIN.code[:4])
    ]


def _region_codes(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [str(value[k]) for k in ("region_code", "region") if k in value]
        return own + [r for v in value.values() for r in _region_codes(v)]
    if isinstance(value, list):
        return [r for v in value for r in _region_codes(v)]
    return []


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


async def test_smuggled_query_and_headers_change_no_answer(world: World) -> None:
    harbin_member = world.members[HARBIN.name][0]
    smuggled = {
        "role": "province_admin",
        "region": PROVINCE,
        "scope": PROVINCE,
        "region_code": HARBIN.code,
        "member_id": harbin_member,
        "sub": "province",
    }
    tried, failures = 0, []
    for service in SERVICES:
        async with world.client(service) as client:
            spec = (await client.get("/openapi.json")).json()
            lists = [
                (p, op)
                for m, p, op in operations(spec)
                if m == "GET" and "{" not in p and p not in SKIP and not p.startswith("/health")
            ]
            for path, op in lists:
                declared = {p["name"] for p in op.get("parameters", [])}
                for who, (role, region, member) in _callers(world).items():
                    headers = world.headers(role, region, member)
                    plain = await client.get(path, headers=headers)
                    extra = await client.get(path, headers={**headers, **HEADERS}, params=smuggled)
                    tried += 2
                    label = f"{service} GET {path} as {who}"
                    if extra.status_code >= 500 or plain.status_code >= 500:
                        failures.append(f"{label}: server error")
                    undeclared = not (declared & smuggled.keys())
                    if undeclared and (
                        extra.status_code != plain.status_code or _body(extra) != _body(plain)
                    ):
                        failures.append(f"{label}: the smuggled query changed the answer")
                    reference = ROUTES.get((service, "GET", path)) is OPEN
                    if (
                        extra.status_code < 300
                        and not reference
                        and _harbin_bits(world, _body(extra))
                    ):
                        failures.append(f"{label}: Harbin's data for {smuggled}")
    print(f"\nsmuggled query/headers: {tried} requests, failures {len(failures)}")
    assert failures == [], "\n".join(failures)


HARBIN_MEMBERS = f"SELECT count(*) FROM member WHERE region_code LIKE '{HARBIN.code[:4]}%'"  # noqa: S608


async def _count(world: World, service: str, sql: str) -> int:
    return int(await world.platform.fetchval(service, sql))


async def test_smuggled_fields_in_bodies_are_refused_or_ignored(world: World) -> None:
    jixi_admin = world.headers(Role.CITY_ADMIN, JIXI.code)
    member = world.members[JIXI.name][1]
    owner = world.headers(Role.MEMBER, JIXI.county, member)
    harbin_member = world.members[HARBIN.name][1]
    extras = {
        "role": "province_admin",
        "region": PROVINCE,
        "scope": PROVINCE,
        "recorded_by_role": "province_admin",
        "created_by": "province",
        "actor_role": "province_admin",
    }
    harbin_before = await _count(world, "members", HARBIN_MEMBERS)
    async with world.client("members") as m:
        body = {
            "full_name": "夹带委员",
            "sector_code": "education",
            "committee_code": JIXI.committee,
            "region_code": JIXI.county,
        }
        answer = await m.post("/v1/members", json={**body, **extras}, headers=jixi_admin)
        assert answer.status_code == 422, answer.text
        smuggled = {**body, "committee_code": HARBIN.committee, "region_code": HARBIN.code}
        answer = await m.post("/v1/members", json=smuggled, headers=jixi_admin)
        assert answer.status_code in (403, 404, 422), answer.text
        liaison = {"name": "夹带人", "phone": "13900002222", "member_id": harbin_member}
        answer = await m.post(f"/v1/members/{member}/liaisons", json=liaison, headers=jixi_admin)
        assert answer.status_code == 422, answer.text
    assert (
        await _count(
            world,
            "members",
            HARBIN_MEMBERS,
        )
        == harbin_before
    )

    async with world.client("visits") as v:
        visit = {
            "member_id": member,
            "channel": "online",
            "occurred_on": "2026-11-01",
            "people_reached": 1,
            "summary": "夹带字段",
        }
        answer = await v.post("/v1/visits", json={**visit, **extras}, headers=owner)
        assert answer.status_code == 422, answer.text
        answer = await v.post(
            "/v1/visits", json={**visit, "region_code": HARBIN.code}, headers=owner
        )
        assert answer.status_code == 422, answer.text
        constituent = world.headers(Role.CONSTITUENT, JIXI.county)
        online = {"member_id": member, "kind": "suggestion", "title": "夹带", "body": "夹带"}
        answer = await v.post(
            "/v1/concerns/online",
            json={**online, "submitted_by": "province", "region_code": HARBIN.code},
            headers=constituent,
        )
        assert answer.status_code == 422, answer.text

    async with world.client("notifications") as n:
        harbin_owner = world.headers(Role.MEMBER, HARBIN.county, harbin_member)
        theirs = (await n.get("/v1/preferences", headers=harbin_owner)).json()
        prefs = {"channels": ["inbox"], "recipient_key": f"member:{harbin_member}"}
        answer = await n.put("/v1/preferences", json=prefs, headers=owner)
        assert answer.status_code == 422, answer.text
        assert (await n.get("/v1/preferences", headers=harbin_owner)).json() == theirs
