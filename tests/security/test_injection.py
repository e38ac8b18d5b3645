"""SQL injection in every path and query parameter (ids, filters, sort/group fields, cursors)
and in every string field of the JSON bodies: a 4xx or an ordinary answer, never a 5xx, never
another city's rows, and the databases unchanged (path and query) or intact (bodies)."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import quote

import pytest

from shared.auth import Role
from tests.security.routes import ROUTES, Target, operations
from tests.security.test_smuggling import _body, _harbin_bits
from tests.security.world import JIXI, World, table_digest
from tests.support.platform import SERVICES

# The first test also starts the four services and seeds both cities, on a shared machine.
pytestmark = [pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(900)]

PAYLOADS = [
    "' OR '1'='1",
    "1' OR 1=1 --",
    "'; DROP TABLE member; --",
    '" OR ""="',
    "1) UNION SELECT id, region_code FROM member --",
    "region_code; DELETE FROM liaison",
    "%",
    "%' OR '%'='",
    "_",
    "2301%",
    "\\",
    "$1",
    "' || (SELECT current_user) || '",
    "00000000-0000-0000-0000-000000000000' OR 'x'='x",
    "a\x00b",
    "ṩ𝕊ℚ𝕃",
]
CHURN = {"delivery", "digest", "outbox_message", "inbox_message"}
# The member's clear reads of their own liaisons are audited: that table grows by reads only.
AUDIT = "pii_audit"


def _callers(world: World) -> list[dict[str, str]]:
    member = world.members[JIXI.name][0]
    return [
        world.headers(Role.CITY_ADMIN, JIXI.code),
        world.headers(Role.COUNTY_ADMIN, JIXI.county),
        world.headers(Role.MEMBER, JIXI.county, member),
        world.headers(Role.AUDITOR, JIXI.code),
        world.headers(Role.DATA_PLATFORM, JIXI.code),
        world.headers(Role.CONSTITUENT, JIXI.county),
    ]


def _path(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: quote(values.get(m[1], "x"), safe=""), path)


async def _intact(world: World) -> dict[str, dict[str, str]]:
    return {
        s: {t: d for t, d in (await table_digest(world, s)).items() if t not in {*CHURN, AUDIT}}
        for s in SERVICES
    }


def _a_jixi_id(world: World, path: str, service: str, method: str) -> dict[str, str]:
    """A real Jixi object for each path parameter, so the other parameters reach the query."""
    target = ROUTES.get((service, method, path))
    if isinstance(target, Target) and target.where == "path":
        obj = next(o for o in world.objects[target.kind] if o.city is JIXI)
        return {m: obj.id for m in re.findall(r"\{([a-z_]+)\}", path)}
    return {"kind": "members", "fmt": "csv", "code": "education"}


async def test_injection_in_paths_and_queries_has_no_effect(world: World) -> None:
    rng = random.Random(4)
    before = await _intact(world)
    audited = await world.platform.fetchval("members", "SELECT max(id) FROM pii_audit")
    callers = _callers(world)
    tried, failures = 0, []
    for service in SERVICES:
        async with world.client(service) as client:
            spec = (await client.get("/openapi.json")).json()
            for method, path, op in operations(spec):
                if path.startswith("/health") or path.endswith("/stream"):
                    continue
                real = _a_jixi_id(world, path, service, method)
                names = [
                    (p["in"], p["name"])
                    for p in op.get("parameters", [])
                    if p["in"] in ("path", "query")
                ]
                for where, name in names:
                    for payload in PAYLOADS:
                        headers = rng.choice(callers)
                        params = {name: payload} if where == "query" else {}
                        url = _path(path, {**real, name: payload} if where == "path" else real)
                        response = await client.request(method, url, params=params, headers=headers)
                        tried += 1
                        label = f"{service} {method} {path} {name}={payload!r}"
                        if response.status_code >= 500:
                            failures.append(f"{label}: {response.status_code} {response.text}")
                        elif response.status_code < 300 and _harbin_bits(world, _body(response)):
                            failures.append(f"{label}: Harbin's data")
    after = await _intact(world)
    changed = [f"{s}.{t}" for s in SERVICES for t in before[s] if before[s][t] != after[s].get(t)]
    actions = await world.platform.fetchval(
        "members", "SELECT array_agg(DISTINCT action) FROM pii_audit WHERE id > $1", audited
    )
    assert set(actions or []) <= {"read"}, actions
    print(
        f"\nSQL injection (path, query): {tried} requests, failures {len(failures)}, "
        f"tables changed {changed}"
    )
    assert failures == [], "\n".join(failures[:40])
    assert changed == []


def _strings(schema: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return [
        name
        for name, prop in schema.get("properties", {}).items()
        if prop.get("type") == "string"
        or any(a.get("type") == "string" for a in prop.get("anyOf", []))
    ]


async def test_injection_in_body_fields_never_errors_and_drops_nothing(world: World) -> None:
    """Body strings are stored as data, so rows may be added: none is lost, no 5xx."""
    member = world.members[JIXI.name][2]
    owner = world.headers(Role.MEMBER, JIXI.county, member)
    admin = world.headers(Role.CITY_ADMIN, JIXI.code)
    concern = next(o for o in world.objects["concern"] if o.member_id == member)
    liaison = next(li for li in world.liaisons if li.member_id == member)
    valid: dict[tuple[str, str, str], tuple[dict[str, Any], dict[str, str]]] = {
        ("members", "POST", "/v1/members"): (
            {
                "full_name": "注入",
                "sector_code": "education",
                "committee_code": JIXI.committee,
                "region_code": JIXI.county,
            },
            admin,
        ),
        ("members", "PATCH", f"/v1/liaisons/{liaison.id}"): ({"workplace": "x"}, admin),
        ("members", "POST", "/v1/workstations"): (
            {"kind": "workroom", "name": "注入", "region_code": JIXI.county},
            admin,
        ),
        ("visits", "POST", "/v1/visits"): (
            {
                "member_id": member,
                "channel": "online",
                "occurred_on": "2026-11-02",
                "people_reached": 1,
                "summary": "注入",
            },
            owner,
        ),
        ("visits", "POST", f"/v1/concerns/{concern.id}/reject"): ({"reason": "x"}, owner),
        ("visits", "POST", f"/v1/concerns/{concern.id}/upgrade"): (
            {"to": "proposal", "reference": "x"},
            owner,
        ),
        ("notifications", "PUT", "/v1/preferences"): (
            {"channels": ["inbox"], "timezone": "Asia/Shanghai"},
            owner,
        ),
    }
    counts_before = await _counts(world)
    tried, failures = 0, []
    for (service, method, url), (body, headers) in valid.items():
        async with world.client(service) as client:
            for field in [k for k, v in body.items() if isinstance(v, str)]:
                for payload in PAYLOADS:
                    response = await client.request(
                        method, url, json={**body, field: payload}, headers=headers
                    )
                    tried += 1
                    if response.status_code >= 500:
                        failures.append(f"{service} {method} {url} {field}={payload!r}: 5xx")
    counts_after = await _counts(world)
    lost = {
        t: (n, counts_after.get(t)) for t, n in counts_before.items() if counts_after.get(t, -1) < n
    }
    print(f"\nSQL injection (bodies): {tried} requests, failures {len(failures)}, lost {lost}")
    assert failures == [], "\n".join(failures)
    assert lost == {}


async def _counts(world: World) -> dict[str, int]:
    counts: dict[str, int] = {}
    for service in SERVICES:
        for table in await table_digest(world, service):
            counts[f"{service}.{table}"] = int(
                await world.platform.fetchval(service, f'SELECT count(*) FROM "{table}"')  # noqa: S608
            )
    return counts
