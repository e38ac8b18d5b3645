"""Liaisons' personal data (clear names, phones, ID numbers) appears in no service log, no error
body, no export, no data-platform topic or feed, and no integration event; every clear read and
every change of it leaves an audit record that no API and no service role can alter."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import pytest

from services.members.unit_of_work import APP_ROLE
from shared.auth import Role
from shared.contracts.topics import ALL_TOPICS
from tests.security.routes import operations
from tests.security.world import CITIES, JIXI, PROVINCE, World, id_number
from tests.support.kafka import read_all

# The first test also starts the four services and seeds both cities, on a shared machine.
pytestmark = [pytest.mark.asyncio(loop_scope="package"), pytest.mark.timeout(900)]


def _found(world: World, text: str, extra: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    return [s for s in [*world.secrets(), *extra] if s in text]


async def _error_bodies(world: World) -> tuple[list[str], list[str]]:
    """Requests that carry personal data and fail: what comes back must not repeat it."""
    member = world.members[JIXI.name][0]
    admin = world.headers(Role.CITY_ADMIN, JIXI.code)
    liaison = next(li for li in world.liaisons if li.member_id == member)
    bad_id = liaison.id_number[:-1] + ("0" if liaison.id_number[-1] != "0" else "1")
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        # a bad checksum: the number itself must not come back
        (
            "POST",
            f"/v1/members/{member}/liaisons",
            {"name": liaison.name, "phone": liaison.phone, "id_number": bad_id},
        ),
        (
            "POST",
            f"/v1/members/{member}/liaisons",
            {"name": liaison.name, "phone": "12" + liaison.phone},
        ),
        (
            "POST",
            f"/v1/members/{member}/liaisons",
            {"name": liaison.name * 40, "phone": liaison.phone},
        ),
        ("PATCH", f"/v1/liaisons/{liaison.id}", {"id_number": bad_id, "phone": liaison.phone}),
        ("PATCH", f"/v1/liaisons/{liaison.id}", {"name": liaison.name, "surprise": liaison.phone}),
        ("POST", "/v1/members/not-a-uuid/liaisons", {"name": liaison.name, "phone": liaison.phone}),
    ]
    bodies: list[str] = []
    extra = [bad_id, "12" + liaison.phone]
    async with world.client("members") as m:
        for method, url, body in attempts:
            response = await m.request(method, url, json=body, headers=admin)
            assert response.status_code >= 400, (url, response.text)
            bodies.append(response.text)
        other = world.headers(Role.CITY_ADMIN, CITIES[1].code)
        for li in world.liaisons[:4]:
            response = await m.get(
                f"/v1/liaisons/{li.id}",
                params={"reveal": "true", "reason": li.phone},
                headers=other,
            )
            bodies.append(response.text)
    async with world.client("visits") as v:
        owner = world.headers(Role.MEMBER, JIXI.county, member)
        visit = {
            "member_id": member,
            "channel": "online",
            "occurred_on": "not a date",
            "people_reached": -1,
            "summary": f"{liaison.name} {liaison.phone}",
        }
        bodies.append((await v.post("/v1/visits", json=visit, headers=owner)).text)
    return bodies, extra


async def _exports(world: World) -> dict[str, str]:
    """The dossier CSV of every member and every export endpoint there is, for every office."""
    answers: dict[str, str] = {}
    callers = {
        "province": world.headers(Role.PROVINCE_ADMIN, PROVINCE),
        **{c.name: world.headers(Role.CITY_ADMIN, c.code) for c in CITIES},
    }
    async with world.client("reporting") as r:
        spec = (await r.get("/openapi.json")).json()
        exports = [p for m, p, op in operations(spec) if m == "GET" and "export" in p]
        for who, headers in callers.items():
            for city in CITIES:
                for member in world.members[city.name]:
                    for fmt in ("csv", "json"):
                        url = f"/v1/members/{member}/dossier"
                        response = await r.get(url, params={"format": fmt}, headers=headers)
                        answers[f"{who} {url} {fmt}"] = response.text
            for path in exports:
                for fmt in ("csv", "xlsx", "json"):
                    response = await r.get(path, params={"format": fmt}, headers=headers)
                    assert response.status_code < 500, (path, response.text)
                    body = response.content.decode("utf-8", errors="replace")
                    answers[f"{who} {path} {fmt}"] = body
    return answers


async def _feed(world: World) -> str:
    pages: list[str] = []
    headers = world.headers(Role.DATA_PLATFORM, PROVINCE)
    async with world.client("reporting") as r:
        cursor: str | None = None
        while True:
            params = {"limit": "500", **({"cursor": cursor} if cursor else {})}
            response = await r.get("/v1/feed", params=params, headers=headers)
            assert response.status_code == 200, response.text
            pages.append(response.text)
            body = response.json()
            cursor = body.get("next_cursor")
            if not body.get("items") or not cursor:
                return "\n".join(pages)


async def test_no_personal_data_in_logs_errors_exports_feed_or_events(world: World) -> None:
    errors, extra = await _error_bodies(world)
    leaks: dict[str, list[str]] = {}
    for n, body in enumerate(errors):
        if found := _found(world, body, extra):
            leaks[f"error body {n}"] = found
    exports = await _exports(world)
    for name, body in exports.items():
        if found := _found(world, body):
            leaks[name] = found
    feed = await _feed(world)
    if found := _found(world, feed):
        leaks["/v1/feed"] = found
    scanned = 0
    for spec in ALL_TOPICS:
        topic = world.platform.topic(spec.name)
        for message in await read_all(world.platform.stack.kafka_bootstrap, topic):
            scanned += 1
            text = (message.value or b"").decode("utf-8", errors="replace")
            headers = " ".join(v.decode("utf-8", "replace") for _, v in message.headers or [])
            if found := _found(world, text + headers, extra):
                leaks[f"kafka {spec.name}"] = found
    logs = world.logs()
    if found := _found(world, logs, extra):
        leaks["service logs"] = found
    phones = re.findall(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])", logs)
    print(
        f"\nPII scan: {len(world.secrets())} secrets of {len(world.liaisons)} liaisons; "
        f"{len(errors)} error bodies, {len(exports)} exports, feed {len(feed)} chars, "
        f"{scanned} Kafka messages, logs {len(logs)} chars: leaks {len(leaks)}"
    )
    assert leaks == {}
    assert phones == []


async def _audit(world: World) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(world.platform.database_urls["members"])
    try:
        return await conn.fetch("SELECT * FROM pii_audit ORDER BY id")
    finally:
        await conn.close()


async def test_every_clear_read_and_change_is_audited(world: World) -> None:
    city = CITIES[0]
    member = world.members[city.name][1]
    liaison = next(li for li in world.liaisons if li.member_id == member)
    owner = world.headers(Role.MEMBER, city.county, member)
    admin = world.headers(Role.CITY_ADMIN, city.code)
    before = len(await _audit(world))
    reason = "核实困难群众身份信息"
    new_number = id_number(__import__("random").Random(1), city.county)
    async with world.client("members") as m:
        steps = [
            ("read", "member", await m.get(f"/v1/liaisons/{liaison.id}", headers=owner)),
            (
                "reveal",
                "city_admin",
                await m.get(
                    f"/v1/liaisons/{liaison.id}",
                    params={"reveal": "true", "reason": reason},
                    headers=admin,
                ),
            ),
            (
                "update",
                "city_admin",
                await m.patch(
                    f"/v1/liaisons/{liaison.id}", json={"id_number": new_number}, headers=admin
                ),
            ),
            (
                "create",
                "member",
                await m.post(
                    f"/v1/members/{member}/liaisons",
                    json={"name": "慕容清", "phone": "13700001234"},
                    headers=owner,
                ),
            ),
        ]
        masked = await m.get(f"/v1/liaisons/{liaison.id}", headers=admin)
    for action, _, response in steps:
        assert response.status_code in (200, 201), (action, response.text)
    assert masked.json()["disclosure"] == "masked"
    records = (await _audit(world))[before:]
    assert [(r["action"], r["actor_role"]) for r in records] == [
        (a, role) for a, role, _ in steps
    ], "one record per clear read and change, none for a masked read"
    for record in records:
        assert all(record[k] for k in ("actor", "at", "fields", "reason")), record
    assert records[1]["reason"] == reason
    assert "id_number" in records[2]["fields"]

    auditor = world.headers(Role.AUDITOR, PROVINCE)
    async with world.client("members") as m:
        listed = await m.get("/v1/audit/pii", params={"liaison_id": liaison.id}, headers=auditor)
    assert listed.status_code == 200
    assert [r["action"] for r in listed.json()["items"]][-3:] == ["read", "reveal", "update"]


async def _refused(conn: asyncpg.Connection, role: str | None, statement: str) -> bool:
    try:
        async with conn.transaction():
            if role:
                await conn.execute(f"SET LOCAL ROLE {role}")
            await conn.execute(statement)
    except asyncpg.InsufficientPrivilegeError:
        return True
    return False


async def test_the_audit_log_cannot_be_changed_through_any_api_or_by_the_service_role(
    world: World,
) -> None:
    rows = await _audit(world)
    liaison = world.liaisons[0].id
    tried = 0
    wrong: list[str] = []
    for service in ("members", "visits", "notifications", "reporting"):
        async with world.client(service) as client:
            spec = (await client.get("/openapi.json")).json()
            declared = {(m, p) for m, p, _ in operations(spec)}
            audit_routes = {p for _, p in declared if "audit" in p}
            assert audit_routes <= {"/v1/audit/pii"}, audit_routes
            assert {m for m, p in declared if p == "/v1/audit/pii"} <= {"GET"}
            guesses = [f"/v1/audit/pii/{rows[0]['id']}", "/v1/audit", "/v1/audit/pii/all"]
            paths = {p for _, p in declared} | {"/v1/audit/pii", *guesses}
            for path in sorted(paths):
                url = re.sub(r"\{[a-z_]+\}", liaison, path)
                for method in ("POST", "PUT", "PATCH", "DELETE"):
                    if (method, path) in declared:
                        continue
                    for role in (Role.AUDITOR, Role.PROVINCE_ADMIN):
                        headers = world.headers(role, PROVINCE)
                        response = await client.request(
                            method, url, json={"reason": "x"}, headers=headers
                        )
                        tried += 1
                        if not 400 <= response.status_code < 500:
                            wrong.append(f"{service} {method} {url}: {response.status_code}")
    assert wrong == []
    assert await _audit(world) == rows, "the audit log changed"

    conn = await asyncpg.connect(world.platform.database_urls["members"])
    try:
        for statement in (
            "UPDATE pii_audit SET reason = 'nothing to see'",
            "DELETE FROM pii_audit",
            "TRUNCATE pii_audit",
        ):
            for as_role in (APP_ROLE, None):
                assert await _refused(conn, as_role, statement), (as_role, statement)
    finally:
        await conn.close()
    assert await _audit(world) == rows
    print(
        f"\naudit: {tried} undeclared writes through the APIs refused (4xx); UPDATE, "
        f"DELETE and TRUNCATE refused to {APP_ROLE} and the owner; {len(rows)} records unchanged"
    )
