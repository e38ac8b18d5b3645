"""The personal-data audit log: read by auditors only, and unchangeable by anyone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

import asyncpg
import httpx
import pytest

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from services.members.unit_of_work import APP_ROLE
from shared.auth import Role
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving

PROVINCE, JIXI, MISHAN = "230000", "230300", "230382"
LIAISON = {"name": "李晓芳", "phone": "13812345678"}


@asynccontextmanager
async def _members(platform: Platform) -> AsyncIterator[httpx.AsyncClient]:
    app = members_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        yield client


async def _liaisons(client: httpx.AsyncClient, platform: Platform, count: int) -> list[UUID]:
    """`count` liaisons of one new Mishan member, each linked and revealed once by Jixi."""
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    body = {
        "full_name": "陈委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
    }
    member_id = (await client.post("/v1/members", json=body, headers=admin)).json()["id"]
    ids = []
    for n in range(count):
        liaison = {**LIAISON, "phone": f"1381234567{n}"}
        created = await client.post(
            f"/v1/members/{member_id}/liaisons", json=liaison, headers=admin
        )
        assert created.status_code == 201, created.text
        ids.append(UUID(created.json()["id"]))
        reveal = {"reveal": "true", "reason": "年度走访核对"}
        revealed = await client.get(f"/v1/liaisons/{ids[-1]}", headers=admin, params=reveal)
        assert revealed.status_code == 200
    return ids


async def test_the_auditor_searches_by_liaison_and_actor_a_page_at_a_time(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        first, second, _third = await _liaisons(client, platform, 3)
        auditor = platform.keys.headers(Role.AUDITOR, PROVINCE)
        url = "/v1/audit/pii"
        one = (await client.get(url, headers=auditor, params={"liaison_id": str(first)})).json()
        page1 = (await client.get(url, headers=auditor, params={"limit": 4})).json()
        page2 = await client.get(
            url, headers=auditor, params={"limit": 4, "after": page1["next_cursor"]}
        )
        nobody = await client.get(url, headers=auditor, params={"actor": "dev-city_admin-230100"})
    assert [(r["action"], r["liaison_id"]) for r in one["items"]] == [
        ("create", str(first)),
        ("reveal", str(first)),
    ]
    reveal = one["items"][1]
    assert (reveal["actor"], reveal["actor_role"], reveal["reason"]) == (
        "dev-city_admin-230300",
        "city_admin",
        "年度走访核对",
    )
    assert reveal["fields"] == ["name", "phone"]
    assert len(page1["items"]) == 4
    assert page1["next_cursor"] == page1["items"][-1]["id"]
    rest = page2.json()["items"]
    assert len(rest) == 2
    assert rest[0]["id"] > page1["next_cursor"]
    assert page2.json()["next_cursor"] is None
    assert str(second) in {r["liaison_id"] for r in page1["items"] + rest}
    assert nobody.json()["items"] == []


async def test_offices_and_committees_get_403_and_every_other_role_404(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        await _liaisons(client, platform, 1)
        statuses = {}
        for role, region in [
            (Role.PROVINCE_ADMIN, PROVINCE),
            (Role.CITY_ADMIN, JIXI),
            (Role.COUNTY_ADMIN, MISHAN),
            (Role.COMMITTEE_STAFF, JIXI),
            (Role.MEMBER, MISHAN),
            (Role.DEPARTMENT, JIXI),
            (Role.CONSTITUENT, MISHAN),
            (Role.DATA_PLATFORM, PROVINCE),
            (Role.AUDITOR, JIXI),
        ]:
            headers = platform.keys.headers(role, region, member_id=_some_member(role))
            response = await client.get("/v1/audit/pii", headers=headers)
            assert "年度走访核对" not in response.text
            statuses[role, region] = response.status_code
    assert statuses == {
        (Role.PROVINCE_ADMIN, PROVINCE): 403,
        (Role.CITY_ADMIN, JIXI): 403,
        (Role.COUNTY_ADMIN, MISHAN): 403,
        (Role.COMMITTEE_STAFF, JIXI): 403,
        (Role.MEMBER, MISHAN): 404,
        (Role.DEPARTMENT, JIXI): 404,
        (Role.CONSTITUENT, MISHAN): 404,
        (Role.DATA_PLATFORM, PROVINCE): 404,
        (Role.AUDITOR, JIXI): 403,  # the log has no region yet: province-wide auditors only
    }


def _some_member(role: Role) -> UUID | None:
    return UUID(int=1) if role is Role.MEMBER else None


async def test_the_api_has_no_route_that_changes_or_deletes_audit_rows(platform: Platform) -> None:
    async with _members(platform) as client:
        await _liaisons(client, platform, 1)
        spec = (await client.get("/openapi.json")).json()
        auditor = platform.keys.headers(Role.AUDITOR, PROVINCE)
        attempts = [
            await client.request(method, url, headers=auditor, json={})
            for method in ("POST", "PUT", "PATCH", "DELETE")
            for url in ("/v1/audit/pii", "/v1/audit/pii/1")
        ]
    audit_paths = {p: set(ops) for p, ops in spec["paths"].items() if p.startswith("/v1/audit")}
    assert audit_paths == {"/v1/audit/pii": {"get"}}
    assert {r.status_code for r in attempts} <= {404, 405}
    assert await platform.fetchval("members", "SELECT count(*) FROM pii_audit") == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE pii_audit SET reason = 'nothing to see'",
        "DELETE FROM pii_audit",
        "TRUNCATE pii_audit",
    ],
)
async def test_the_table_refuses_changes_even_to_the_service_role_and_the_owner(
    platform: Platform, statement: str
) -> None:
    async with _members(platform) as client:
        await _liaisons(client, platform, 1)
    conn = await asyncpg.connect(platform.database_urls["members"])
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
            await _in_transaction(conn, f"SET LOCAL ROLE {APP_ROLE}", statement)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await _in_transaction(conn, statement)  # the owner: the trigger stops it
        rows = await conn.fetch("SELECT action, reason FROM pii_audit ORDER BY id")
    finally:
        await conn.close()
    assert [tuple(r) for r in rows] == [("create", "linked"), ("reveal", "年度走访核对")]


async def _in_transaction(conn: asyncpg.Connection, *statements: str) -> None:
    async with conn.transaction():
        for statement in statements:
            await conn.execute(statement)
