"""Another city's or another member's objects, by id, over every endpoint that takes one.

Seeded and randomised: each try picks an endpoint, an object of the kind it takes from one city,
and a caller of any role from the other city (or another member of the same city). The answer
must be what an id that does not exist gets (404, or the 403 of a role that may not use the
endpoint at all), never a 2xx with the object in it, never a 5xx; and no database changes.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx
import pytest

from shared.auth import Role
from tests.security.routes import ROUTES, Route, Target, operations
from tests.security.world import CITIES, Obj, World, table_digest
from tests.support.platform import SERVICES

# The first test also starts the four services and seeds both cities, on a shared machine.
pytestmark = [pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(900)]

SEED = int(os.environ.get("SECURITY_SEED", "9"))
# Tables that change by themselves (delivery retries, relay bookkeeping), not by a request.
CHURN = {"delivery", "digest", "outbox_message", "inbox_message", "schema_migrations"}


@dataclass(frozen=True)
class Caller:
    role: Role
    region: str
    member_id: str | None = None


@dataclass(frozen=True)
class Try:
    route: Route
    target: Target
    obj: Obj
    caller: Caller


async def _spec(world: World, service: str) -> dict[str, Any]:
    async with world.client(service) as client:
        spec: dict[str, Any] = (await client.get("/openapi.json")).json()
        return spec


async def _targets(world: World) -> dict[Route, Target]:
    unclassified: list[Route] = []
    targets: dict[Route, Target] = {}
    for service in SERVICES:
        for method, path, _ in operations(await _spec(world, service)):
            route = (service, method, path)
            kind = ROUTES.get(route)
            if kind is None:
                unclassified.append(route)
            elif isinstance(kind, Target):
                targets[route] = kind
    assert unclassified == [], f"classify these in tests/security/routes.py: {unclassified}"
    return targets


def _callers(world: World, obj: Obj) -> list[Caller]:
    """Every role from the other city, and the object's city's other members."""
    other = next(c for c in CITIES if c != obj.city)
    callers = [Caller(role, region) for role in Role for region in (other.code, other.county)]
    callers = [c for c in callers if c.role is not Role.MEMBER]
    callers += [Caller(Role.MEMBER, other.county, m) for m in world.members[other.name]]
    if obj.member_id is not None:
        callers += [
            Caller(Role.MEMBER, obj.city.county, m)
            for m in world.members[obj.city.name]
            if m != obj.member_id
        ]
    return callers


def _plan(world: World, targets: dict[Route, Target], count: int, rng: random.Random) -> list[Try]:
    """Every endpoint with every role at least once, then random tries up to `count`."""
    tries: list[Try] = []
    routes = sorted(targets)
    for route in routes:
        objects = world.objects[targets[route].kind]
        assert objects, f"the world has no {targets[route].kind} to aim {route} at"
        for role in Role:
            obj = rng.choice(objects)
            options = [c for c in _callers(world, obj) if c.role is role]
            tries.append(Try(route, targets[route], obj, rng.choice(options)))
    while len(tries) < count:
        route = rng.choice(routes)
        obj = rng.choice(world.objects[targets[route].kind])
        tries.append(Try(route, targets[route], obj, rng.choice(_callers(world, obj))))
    return tries


def _request(world: World, t: Try, object_id: str) -> dict[str, Any]:
    _, method, path = t.route
    city = next(c for c in CITIES if t.caller.region.startswith(c.code[:4]))
    params = dict(t.target.query)
    url = path
    if t.target.where == "path":
        url = re.sub(r"\{[a-z_]+\}", object_id, path)
    elif t.target.where == "query":
        params[t.target.param] = object_id
    body = t.target.body(city, object_id) if t.target.body else None
    if t.route == ("reporting", "GET", "/v1/members/{member_id}/dossier"):
        params["format"] = "csv" if int(object_id[-1], 16) % 2 else "json"
    return {
        "method": method,
        "url": url,
        "params": params,
        "json": body,
        "headers": world.headers(t.caller.role, t.caller.region, t.caller.member_id),
    }


def _leaks(t: Try, response: httpx.Response) -> list[str]:
    """What of the target the answer gives away (nothing, for a refusal)."""
    if response.status_code >= 300:
        return []
    if t.target.where in ("path", "body"):
        return [f"{response.status_code} for another's object"]
    found = [t.obj.id] if t.obj.id in response.text else []
    try:
        body = response.json()
    except json.JSONDecodeError:
        return found
    if t.caller.region.startswith(t.obj.city.code[:4]):
        return found  # another member of the same city: their own rows share its region
    prefix = t.obj.city.code[:4]
    return found + [r for r in _region_codes(body) if r.startswith(prefix)]


def _region_codes(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [str(value["region_code"])] if "region_code" in value else []
        return own + [r for v in value.values() for r in _region_codes(v)]
    if isinstance(value, list):
        return [r for v in value for r in _region_codes(v)]
    return []


async def _digests(world: World) -> dict[str, dict[str, str]]:
    return {
        service: {t: d for t, d in (await table_digest(world, service)).items() if t not in CHURN}
        for service in SERVICES
    }


async def attack(world: World, count: int) -> Counter[str]:
    rng = random.Random(SEED)
    targets = await _targets(world)
    tries = _plan(world, targets, count, rng)
    before = await _digests(world)
    clients = {s: world.client(s) for s in SERVICES}
    baseline: dict[tuple[Route, Caller], int] = {}
    failures: list[str] = []
    tally: Counter[str] = Counter()
    gate = asyncio.Semaphore(8)

    async def one(t: Try) -> None:
        client = clients[t.route[0]]
        async with gate:
            key = (t.route, t.caller)
            if key not in baseline and t.target.where != "query":
                missing = await client.request(**_request(world, t, str(uuid4())))
                baseline[key] = missing.status_code
                tally["requests"] += 1
            response = await client.request(**_request(world, t, t.obj.id))
        tally["requests"] += 1
        tally[str(response.status_code)] += 1
        problems = _leaks(t, response)
        if response.status_code >= 500:
            problems.append("server error")
        if t.target.where != "query" and response.status_code < 300:
            pass  # already a leak
        elif t.target.where != "query":
            expected = baseline[(t.route, t.caller)]
            if response.status_code != expected or expected not in (403, 404):
                problems.append(f"{response.status_code}, an unknown id gets {expected}")
        if problems:
            tally["leaks"] += 1
            failures.append(
                f"{t.route} {t.obj.kind} of {t.obj.city.name} by {t.caller}: "
                f"{problems} {response.text[:200]}"
            )

    try:
        await asyncio.gather(*(one(t) for t in tries))
    finally:
        for client in clients.values():
            await client.aclose()
    after = await _digests(world)
    changed = [f"{s}.{t}" for s in SERVICES for t in before[s] if before[s][t] != after[s].get(t)]
    tally["endpoints"] = len(targets)
    tally["tries"] = len(tries)
    print(
        f"\ncross-tenant: {tally['tries']} tries ({tally['requests']} requests) over "
        f"{tally['endpoints']} endpoints with an id, seed {SEED}; leaks {tally['leaks']}, "
        f"server errors {sum(v for k, v in tally.items() if k.startswith('5'))}, "
        f"tables changed {len(changed)}; statuses "
        f"{ {k: v for k, v in sorted(tally.items()) if k.isdigit()} }"
    )
    assert failures == [], "\n".join(failures[:40])
    assert changed == [], f"requests for others' objects changed {changed}"
    return tally


async def test_no_caller_reaches_another_citys_or_members_objects(world: World) -> None:
    await attack(world, 2000)


@pytest.mark.slow
@pytest.mark.timeout(3600)
async def test_no_caller_reaches_another_citys_or_members_objects_long(world: World) -> None:
    await attack(world, 20000)
