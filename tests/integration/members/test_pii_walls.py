"""The walls around liaisons' personal data: row-level security under the queries, and no
personal data in error bodies or logs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from services.members.domain.liaisons import Liaison, LiaisonStatus, personal_data
from services.members.main import create_app as members_app
from services.members.pii import PiiCipher
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Role
from shared.db.pool import create_pool
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving

JIXI, HARBIN, MISHAN = "230300", "230100", "230382"
NAME, PHONE, WORKPLACE = "李晓芳", "13812345678", "密山市第一中学"
ID_NUMBER = "230382198506123455"  # a valid GB 11643 check character
BAD_ID_NUMBER = "230382198506123456"  # the same with a wrong one
OTHER_PHONE = "13987654321"


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
        admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
        response = await client.post("/v1/members", json=body, headers=admin)
        assert response.status_code == 201, response.text
        yield client, UUID(response.json()["id"])


async def _link(client: httpx.AsyncClient, platform: Platform, member_id: UUID, n: int) -> str:
    body = {"name": NAME, "phone": f"1381234567{n}", "id_number": ID_NUMBER}
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    response = await client.post(f"/v1/members/{member_id}/liaisons", json=body, headers=admin)
    assert response.status_code == 201, response.text
    liaison_id: str = response.json()["id"]
    report = {"kind": "hardship", "summary": "家中失火"}
    reported = await client.post(
        f"/v1/liaisons/{liaison_id}/circumstances", json=report, headers=admin
    )
    assert reported.status_code == 201, reported.text
    return liaison_id


async def test_a_harbin_unit_of_work_sees_no_jixi_liaison_even_without_a_where_clause(
    platform: Platform,
) -> None:
    async with _members(platform) as (client, member_id):
        for n in range(3):
            await _link(client, platform, member_id, n)
    pool = await create_pool(platform.database_urls["members"], min_size=1, max_size=1)
    try:
        async with MembersUnitOfWork(pool, scope=HARBIN) as uow:
            conn = uow.connection
            assert await conn.fetchval("SELECT current_user") == "members_app"
            assert await conn.fetchval("SELECT count(*) FROM liaison") == 0
            assert await conn.fetchval("SELECT count(*) FROM liaison_circumstance") == 0
            assert await conn.fetchval("UPDATE liaison SET status = 'unlinked' RETURNING 1") is None
            assert await uow.liaisons.count_linked(member_id) == 0
        async with MembersUnitOfWork(pool, scope=JIXI) as uow:
            assert await uow.connection.fetchval("SELECT count(*) FROM liaison") == 3
            assert await uow.connection.fetchval("SELECT count(*) FROM liaison_circumstance") == 3
    finally:
        await pool.close()
    linked = "SELECT count(*) FROM liaison WHERE status = 'linked'"
    assert await platform.fetchval("members", linked) == 3


async def test_row_level_security_refuses_writing_a_liaison_outside_the_scope(
    platform: Platform,
) -> None:
    async with _members(platform) as (client, member_id):
        jixi_liaison = await _link(client, platform, member_id, 0)
    cipher = PiiCipher.from_file(platform.keys.pii_key_file)
    smuggled = Liaison(
        id=uuid4(),
        member_id=member_id,
        region_code=MISHAN,
        personal=personal_data(NAME, PHONE),
        consent_to_departments=False,
        status=LiaisonStatus.LINKED,
        linked_at=datetime.now(UTC),
    )
    pool = await create_pool(platform.database_urls["members"], min_size=1, max_size=1)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            async with MembersUnitOfWork(pool, scope=HARBIN) as uow:
                await uow.liaisons.add(smuggled, cipher)
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
            async with MembersUnitOfWork(pool, scope=JIXI) as uow:  # moving one out of scope
                await uow.connection.execute(
                    "UPDATE liaison SET region_code = $1 WHERE id = $2", HARBIN, UUID(jixi_liaison)
                )
    finally:
        await pool.close()
    assert await platform.fetchval("members", "SELECT count(*) FROM liaison") == 1
    assert await platform.fetchval("members", "SELECT region_code FROM liaison") == MISHAN


async def test_a_422_repeats_neither_the_id_number_nor_a_phone_sent_beside_it(
    platform: Platform,
) -> None:
    async with _members(platform) as (client, member_id):
        admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
        url = f"/v1/members/{member_id}/liaisons"
        bad_id = {
            "name": NAME,
            "phone": PHONE,
            "workplace": f"电话{OTHER_PHONE}",
            "id_number": BAD_ID_NUMBER,
        }
        responses = [
            await client.post(url, json=bad_id, headers=admin),
            await client.post(url, json={**bad_id, "id_number": 230382198506123456}, headers=admin),
            await client.post(url, json={**bad_id, "mobile": OTHER_PHONE}, headers=admin),
            await client.post(url, json={**bad_id, "phone": f"{PHONE}0"}, headers=admin),
        ]
        liaison_id = await _link(client, platform, member_id, 0)
        reason = {"reveal": "true", "reason": f"核实 {PHONE} 是否本人"}
        responses.append(
            await client.get(f"/v1/liaisons/{liaison_id}", headers=admin, params=reason)
        )
    for response in responses:
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        for secret in (BAD_ID_NUMBER, PHONE, OTHER_PHONE, NAME, "230382198506"):
            assert secret not in response.text, response.text
    fields = [[e["loc"][-1] for e in r.json().get("errors", [])] for r in responses]
    assert fields[0] == ["id_number"]
    assert "mobile" in fields[2]
    assert fields[3] == ["phone", "id_number"]


async def test_linking_reading_revealing_and_listing_log_no_personal_data(
    platform: Platform, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    async with _members(platform) as (client, member_id):
        admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
        owner = platform.keys.headers(Role.MEMBER, MISHAN, member_id=member_id)
        body = {"name": NAME, "phone": PHONE, "workplace": WORKPLACE, "id_number": ID_NUMBER}
        created = await client.post(f"/v1/members/{member_id}/liaisons", json=body, headers=admin)
        url = f"/v1/liaisons/{created.json()['id']}"
        read = await client.get(url, headers=owner)
        reveal = {"reveal": "true", "reason": "年度走访核对"}
        revealed = await client.get(url, headers=admin, params=reveal)
        listed = await client.get(f"/v1/members/{member_id}/liaisons", headers=owner)
        changed = await client.patch(url, json={"phone": OTHER_PHONE}, headers=owner)
    assert [r.status_code for r in (created, read, revealed, listed, changed)] == [201] + [200] * 4
    assert read.json()["phone"] == PHONE, "the data did pass through the service in clear"
    out = capsys.readouterr()
    raw_records = [f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records]
    logged = "\n".join([caplog.text, out.out, out.err, *raw_records])
    assert "migrations applied" in logged, "the capture saw the service's own log lines"
    for secret in (NAME, PHONE, OTHER_PHONE, WORKPLACE, ID_NUMBER):
        assert secret not in logged
