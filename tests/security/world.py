"""Two cities' worth of data in all four services, run as real child processes.

Jixi (230300, county Mishan 230382) and Harbin (230100, district Daoli 230102) each get a
committee, members with units and liaisons (clear names, mobile phones and ID numbers),
circumstances, a workstation, an occasion, a policy (so obligations and inbox notifications
follow over Kafka), contact records, concerns (one assigned, so a dispatch exists) and an
import job. Every object is then read back from the services' own databases with its city and
owning member, so the attack tests can aim at objects they know the truth about.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from shared.auth import Role
from tests.support.platform import SERVICES, Platform
from tests.support.servers import ServiceProcess
from tests.support.wait import eventually

PROVINCE = "230000"
# Seeded: the same names, phones and ID numbers on every run (so a failure can be replayed).
SEED = 20261127


@dataclass(frozen=True)
class City:
    name: str
    code: str
    county: str

    @property
    def committee(self) -> str:
        return f"cppcc-{self.code}"

    @property
    def department(self) -> str:
        """The code of the city's transport bureau (承办单位), registered in its directory."""
        return f"jtj-{self.code}"


JIXI = City("jixi", "230300", "230382")
HARBIN = City("harbin", "230100", "230102")
CITIES = (JIXI, HARBIN)


@dataclass(frozen=True)
class Obj:
    """One object of `kind` that belongs to `city` (and to `member_id`, where it has an owner)."""

    kind: str
    id: str
    city: City
    member_id: str | None = None


@dataclass(frozen=True)
class Liaison:
    id: str
    member_id: str
    city: City
    name: str
    phone: str
    id_number: str


@dataclass
class World:
    platform: Platform
    urls: dict[str, str]
    processes: dict[str, ServiceProcess]
    log_dir: Path
    members: dict[str, list[str]] = field(default_factory=dict)  # city name -> member ids
    liaisons: list[Liaison] = field(default_factory=list)
    objects: dict[str, list[Obj]] = field(default_factory=dict)  # kind -> objects
    _tokens: dict[tuple[Role, str, str | None], str] = field(default_factory=dict)

    def headers(self, role: Role, region: str, member_id: str | None = None) -> dict[str, str]:
        """Tokens are cached: signing is the slow part of a request we do thousands of times."""
        key = (role, region, member_id)
        if key not in self._tokens:
            mid = UUID(member_id) if member_id else None
            self._tokens[key] = self.platform.keys.token(role, region, member_id=mid)
        return {"Authorization": f"Bearer {self._tokens[key]}"}

    def client(self, service: str) -> httpx.AsyncClient:
        # Idle connections are dropped well before uvicorn's 5 s keep-alive ends: on a busy
        # machine a reused connection could otherwise meet the server's close half-way.
        limits = httpx.Limits(keepalive_expiry=1.0)
        return httpx.AsyncClient(base_url=self.urls[service], timeout=30, limits=limits)

    def logs(self) -> str:
        return "\n".join(
            p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(self.log_dir.glob("*.log"))
        )

    def secrets(self) -> list[str]:
        """Every liaison's clear name, phone and ID number: none may leak where it must not."""
        return [s for li in self.liaisons for s in (li.name, li.phone, li.id_number)]


def id_number(rng: random.Random, region: str) -> str:
    """A GB 11643 resident ID number with a valid check character."""
    born = datetime(1960, 1, 1) + timedelta(days=rng.randrange(15_000))
    body = f"{region}{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


_SURNAMES = "欧阳司徒上官诸葛东方皇甫尉迟公孙"
_GIVEN = "澜珺琰瑾璇翎霁岚筠珩"


def liaison_name(rng: random.Random, n: int) -> str:
    surname = _SURNAMES[2 * (n % 8) : 2 * (n % 8) + 2]
    return surname + rng.choice(_GIVEN) + _GIVEN[n % len(_GIVEN)]


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), (response.request.url, response.text)
    body: dict[str, Any] = response.json()
    return body


@asynccontextmanager
async def running_world(
    platform: Platform, log_dir: Path, *, members_per_city: int = 3
) -> AsyncIterator[World]:
    async with AsyncExitStack() as stack:
        processes: dict[str, ServiceProcess] = {}
        for service in SERVICES:
            env = {**platform.env(service)}
            if service == "members":
                env["MEMBERS_FESTIVAL_SCHEDULE_ENABLED"] = "false"
            process = ServiceProcess(service, env, log_dir / f"{service}.log")
            processes[service] = process
            stack.callback(process.stop)
        await asyncio.gather(*(p.start() for p in processes.values()))
        world = World(platform, {s: p.url for s, p in processes.items()}, processes, log_dir)
        await _seed(world, members_per_city)
        yield world


async def _seed(world: World, members_per_city: int) -> None:
    rng = random.Random(SEED)
    province = world.headers(Role.PROVINCE_ADMIN, PROVINCE)
    async with world.client("members") as m:
        # Harbin's districts are not in the seeded region table; Daoli is added here.
        district = {"code": HARBIN.county, "name": "道里区"}
        await _ok(await m.post("/v1/regions", json=district, headers=province))
        for city in CITIES:
            await _ok(
                await m.post(
                    "/v1/committees",
                    json={
                        "code": city.committee,
                        "name": f"政协{city.name}",
                        "region_code": city.code,
                    },
                    headers=province,
                )
            )
        for city in CITIES:
            await _seed_directory(world, m, city, rng, members_per_city)
    await _wait_for_read_models(world)
    async with world.client("visits") as v:
        for city in CITIES:
            await _seed_visits(world, v, city)
    await _wait_for_projections(world)
    await collect_objects(world)


async def _seed_directory(
    world: World, m: httpx.AsyncClient, city: City, rng: random.Random, count: int
) -> None:
    admin = world.headers(Role.CITY_ADMIN, city.code)
    ids: list[str] = []
    for n in range(count):
        body = {
            "full_name": f"{city.name}委员{n}",
            "sector_code": "education",
            "committee_code": city.committee,
            "region_code": city.county,
        }
        member_id = str((await _ok(await m.post("/v1/members", json=body, headers=admin)))["id"])
        ids.append(member_id)
        unit = {"name": "测试小区", "kind": "residential_compound", "region_code": city.county}
        await _ok(await m.put(f"/v1/members/{member_id}/unit", json=unit, headers=admin))
        for _ in range(2):
            index = len(world.liaisons)
            clear = {
                "name": liaison_name(rng, index),
                "phone": phone(rng),
                "id_number": id_number(rng, city.county),
                "workplace": f"{city.name}第{index}中学",
            }
            created = await _ok(
                await m.post(f"/v1/members/{member_id}/liaisons", json=clear, headers=admin)
            )
            world.liaisons.append(
                Liaison(
                    str(created["id"]),
                    member_id,
                    city,
                    clear["name"],
                    clear["phone"],
                    clear["id_number"],
                )
            )
            owner = world.headers(Role.MEMBER, city.county, member_id)
            report = {"kind": "hardship", "summary": "家中有困难"}
            await _ok(
                await m.post(
                    f"/v1/liaisons/{created['id']}/circumstances", json=report, headers=owner
                )
            )
    world.members[city.name] = ids
    station = {"kind": "workstation", "name": f"{city.name}委员工作站", "region_code": city.county}
    await _ok(await m.post("/v1/workstations", json=station, headers=admin))
    bureau = {"code": city.department, "name": f"{city.name}交通运输局", "region_code": city.code}
    await _ok(await m.post("/v1/departments", json=bureau, headers=admin))
    today = datetime.now(UTC).date().isoformat()
    scope = {"sector_codes": ["education"], "region_codes": [city.code]}
    occasion = {"kind": "leader_speech", "title": "重要讲话", "occurs_on": today, **scope}
    await _ok(await m.post("/v1/occasions", json=occasion, headers=admin))
    policy = {"title": f"{city.name}教育政策", "issued_on": today, **scope}
    await _ok(await m.post("/v1/policies", json=policy, headers=admin))
    csv = (
        "外部编号(external_id),类型(type),代码(code),名称(name),行政区划代码(region_code),"
        "所属政协代码(committee_code)\n"
        f"SEC-{city.code},special_committee,{city.committee}-edu,教科卫体委员会,,{city.committee}\n"
    )
    files = {"file": ("committees.csv", csv.encode("utf-8-sig"), "text/csv")}
    response = await m.post("/v1/imports/committees", files=files, headers=admin)
    assert response.status_code in (200, 201, 202), response.text


async def _wait_for_read_models(world: World) -> None:
    """Visits must know every member and liaison before contacts can be recorded."""
    expected = sum(len(v) for v in world.members.values())

    async def known() -> tuple[int, int, int, int]:
        return (
            await world.platform.fetchval("visits", "SELECT count(*) FROM member_roster"),
            await world.platform.fetchval("visits", "SELECT count(*) FROM liaison_roster"),
            await world.platform.fetchval("visits", "SELECT count(*) FROM obligation"),
            await world.platform.fetchval("visits", "SELECT count(*) FROM department_directory"),
        )

    await eventually(
        known,
        lambda n: (
            n[0] == expected
            and n[1] == len(world.liaisons)
            and n[2] >= expected
            and n[3] == len(CITIES)
        ),
        timeout=90,
        what="visits' roster and obligations",
    )


async def _seed_visits(world: World, v: httpx.AsyncClient, city: City) -> None:
    today = datetime.now(UTC).date()
    admin = world.headers(Role.CITY_ADMIN, city.code)
    for member_id in world.members[city.name]:
        owner = world.headers(Role.MEMBER, city.county, member_id)
        liaisons = [li.id for li in world.liaisons if li.member_id == member_id]
        visit = {
            "member_id": member_id,
            "channel": "face_to_face",
            "occasion": "policy_issued",
            "occurred_on": today.isoformat(),
            "liaison_ids": liaisons,
            "people_reached": 5,
            "summary": "走访联系群众",
            "concerns": [{"kind": "problem", "title": "道路维修", "body": "希望尽快维修道路"}],
        }
        await _ok(await v.post("/v1/visits", json=visit, headers=owner))
        constituent = world.headers(Role.CONSTITUENT, city.county)
        online = {
            "member_id": member_id,
            "kind": "suggestion",
            "title": "建议",
            "body": "建议增设路灯",
        }
        concern = await _ok(await v.post("/v1/concerns/online", json=online, headers=constituent))
        await _ok(await v.post(f"/v1/concerns/{concern['id']}/accept", headers=owner))
        due_on = (today + timedelta(days=15)).isoformat()
        assign = {"department_code": city.department, "due_on": due_on}
        await _ok(await v.post(f"/v1/concerns/{concern['id']}/assign", json=assign, headers=admin))


async def _wait_for_projections(world: World) -> None:
    """Reporting knows every member and notifications has every member's inbox items."""
    members = sum(len(v) for v in world.members.values())

    async def seen() -> tuple[int, int]:
        return (
            await world.platform.fetchval("reporting", "SELECT count(*) FROM member_dim"),
            await world.platform.fetchval(
                "notifications", "SELECT count(DISTINCT member_id) FROM notification"
            ),
        )

    await eventually(
        seen, lambda n: n == (members, members), timeout=90, what="reporting and notifications"
    )


# Each kind of object, read from its owner's database: (id, region, owning member).
_OBJECTS: dict[str, tuple[str, str]] = {
    "member": ("members", "SELECT id, region_code, id FROM member"),
    "liaison": ("members", "SELECT id, region_code, member_id FROM liaison"),
    "workstation": ("members", "SELECT id, region_code, NULL FROM workstation"),
    "department": ("members", "SELECT id, region_code, NULL FROM department"),
    "occasion": ("members", "SELECT id, region_codes[1], NULL FROM occasion"),
    "import_job": ("members", "SELECT id, region_scope, NULL FROM import_job"),
    "visit": ("visits", "SELECT id, region_code, member_id FROM contact_record"),
    "obligation": ("visits", "SELECT id, region_code, member_id FROM obligation"),
    "concern": ("visits", "SELECT id, region_code, member_id FROM concern"),
    "dispatch": ("visits", "SELECT id, region_code, NULL FROM concern_dispatch"),
    "notification": ("notifications", "SELECT id, region_code, member_id FROM notification"),
    "delivery": (
        "notifications",
        "SELECT d.id, n.region_code, n.member_id FROM delivery d"
        " JOIN notification n ON n.id = d.notification_id",
    ),
    "dossier": ("reporting", "SELECT member_id, region_code, member_id FROM member_dim"),
}


def _city_of(region: str) -> City:
    for city in CITIES:
        if region.startswith(city.code[:4]):
            return city
    raise AssertionError(f"object in no seeded city: {region}")


async def collect_objects(world: World) -> None:
    for kind, (service, sql) in _OBJECTS.items():
        conn = await asyncpg.connect(world.platform.database_urls[service])
        try:
            rows = await conn.fetch(sql)
        finally:
            await conn.close()
        world.objects[kind] = [
            Obj(kind, str(r[0]), _city_of(str(r[1])), str(r[2]) if r[2] else None) for r in rows
        ]


# Written by time-driven work whatever the requests do (each sweep pass records itself).
_WRITTEN_BY_THE_CLOCK = frozenset({"obligation_sweep_run"})


async def table_digest(world: World, service: str) -> dict[str, str]:
    """An md5 of every table's rows in one service's database: equal digests, no change."""
    conn = await asyncpg.connect(world.platform.database_urls[service])
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        digest: dict[str, str] = {}
        for t in tables:
            name = t["tablename"]
            if name in _WRITTEN_BY_THE_CLOCK:
                continue
            rows = f'"{name}"'  # a name from pg_tables, quoted
            digest[name] = await conn.fetchval(
                f"SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM {rows} x"  # noqa: S608
            )
        return digest
    finally:
        await conn.close()
