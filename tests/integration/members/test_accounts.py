"""Accounts follow the directory, on the real Postgres: every way a member enters or leaves the
directory queues their account in the same transaction; the job syncs it with Keycloak (a fake
of its admin API here) and never holds up the directory while Keycloak is away. A liaison's own
account reports for them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx

from deploy.devtokens import issue_token
from services.members.handlers.accounts import SyncAccounts, sync_accounts
from services.members.identity import KeycloakAccounts
from services.members.importing.kinds import ImportKind
from services.members.importing.templates import sample_path
from services.members.main import create_app
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Role
from shared.db.pool import create_pool
from shared.kernel import FixedClock
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually
from tests.unit.members.keycloak_fake import ISSUER, FakeKeycloak

JIXI, MISHAN = "230300", "230382"


@asynccontextmanager
async def _members(platform: Platform) -> AsyncIterator[tuple[httpx.AsyncClient, asyncpg.Pool]]:
    settings = platform.settings(MembersSettings, "members", max_body_bytes=64 * 1024 * 1024)
    pool = await create_pool(platform.database_urls["members"], min_size=1, max_size=2)
    try:
        async with (
            serving(create_app(settings)) as url,
            httpx.AsyncClient(base_url=url, timeout=60) as client,
        ):
            await add_jixi_committee(client, platform.keys)
            yield client, pool
    finally:
        await pool.close()


def _admin(platform: Platform) -> dict[str, str]:
    return platform.keys.headers(Role.CITY_ADMIN, JIXI)


async def _register(client: httpx.AsyncClient, platform: Platform, name: str = "陈委员") -> UUID:
    body = {
        "full_name": name,
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
    }
    response = await client.post("/v1/members", json=body, headers=_admin(platform))
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def _sync(pool: asyncpg.Pool, kc: FakeKeycloak, at: datetime) -> Any:
    http = httpx.AsyncClient(transport=kc.transport())
    directory = KeycloakAccounts(http, issuer=ISSUER, client_id="members", client_secret="s")
    return await sync_accounts(
        SyncAccounts(batch=500),
        uow=lambda: MembersUnitOfWork(pool, scope=None),
        directory=directory,
        clock=FixedClock(at),
    )


async def _account(client: httpx.AsyncClient, platform: Platform, member_id: UUID) -> Any:
    response = await client.get(f"/v1/members/{member_id}/account", headers=_admin(platform))
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_member_registered_while_keycloak_is_down_gets_their_account_once_it_is_back(
    platform: Platform,
) -> None:
    async with _members(platform) as (client, pool):
        member_id = await _register(client, platform)  # the directory does not wait on Keycloak
        assert (await _account(client, platform, member_id))["state"] == "pending"
        now = datetime.now(UTC)
        kc = FakeKeycloak(down=True)
        failed = await _sync(pool, kc, now)
        assert str(member_id) in failed.failed
        shown = await _account(client, platform, member_id)
        assert shown["state"] == "failing"
        assert shown["attempts"] == 1
        kc.down = False
        await _sync(pool, kc, now + timedelta(minutes=1))
        shown = await _account(client, platform, member_id)
        assert shown["state"] == "synced"
        user = kc.by_username(shown["username"])
        assert user is not None
        assert user["attributes"]["member_id"] == [str(member_id)]
        assert user["attributes"]["region"] == [MISHAN]
        assert kc.roles[user["id"]] == {"member"}


async def test_retiring_a_member_disables_their_account(platform: Platform) -> None:
    async with _members(platform) as (client, pool):
        member_id = await _register(client, platform)
        kc, now = FakeKeycloak(), datetime.now(UTC)
        await _sync(pool, kc, now)
        retired = await client.post(f"/v1/members/{member_id}/retire", headers=_admin(platform))
        assert retired.status_code == 200, retired.text
        shown = await _account(client, platform, member_id)
        assert shown["enabled"] is False
        assert shown["state"] == "pending"
        await _sync(pool, kc, now)
        user = kc.by_username(shown["username"])
        assert user is not None
        assert user["enabled"] is False
        assert kc.logged_out == [user["id"]]
        assert len(kc.users) == 1  # linked, not made again


async def test_imported_members_are_queued_in_the_imports_transaction(platform: Platform) -> None:
    async with _members(platform) as (client, pool):
        for kind in (ImportKind.COMMITTEES, ImportKind.MEMBERS):
            files = {"file": (f"{kind}.csv", sample_path(kind).read_bytes())}
            sent = await client.post(f"/v1/imports/{kind}", files=files, headers=_admin(platform))
            assert sent.status_code == 202, sent.text

            async def job(location: str = sent.headers["location"]) -> dict[str, Any]:
                body: dict[str, Any] = (await client.get(location, headers=_admin(platform))).json()
                return body

            done = await eventually(job, lambda j: j["status"] in ("done", "failed"), timeout=120)
            assert done["status"] == "done", done
        imported = await platform.fetchval("members", "SELECT count(*) FROM member")
        queued = await platform.fetchval("members", "SELECT count(*) FROM keycloak_account")
        assert imported == queued
        assert queued > 10
        kc = FakeKeycloak()
        await _sync(pool, kc, datetime.now(UTC))
        assert len(kc.users) == queued


async def test_two_replicas_never_claim_the_same_account(platform: Platform) -> None:
    async with _members(platform) as (client, pool):
        for n in range(6):
            await _register(client, platform, f"委员{n}")
        now = datetime.now(UTC)

        async def claim() -> set[UUID]:
            async with MembersUnitOfWork(pool, scope=None) as uow:
                rows = await uow.accounts.claim_due(now, now + timedelta(minutes=2), 4)
                await asyncio.sleep(0)
                await uow.commit()
            return {r.member_id for r in rows}

        first, second = await asyncio.gather(claim(), claim())
        assert first.isdisjoint(second)
        assert len(first | second) == 6


async def test_a_member_retired_while_another_replica_syncs_them_is_not_re_enabled(
    platform: Platform,
) -> None:
    # Replica A leases the "enabled" version; the member is retired meanwhile. Replica B must
    # not take the row until A is done, or A would undo B's disabling afterwards.
    async with _members(platform) as (client, pool):
        member_id = await _register(client, platform)
        now = datetime.now(UTC)
        async with MembersUnitOfWork(pool, scope=None) as uow:
            [leased] = await uow.accounts.claim_due(now, now + timedelta(minutes=2), 10)
            await uow.commit()
        retired = await client.post(f"/v1/members/{member_id}/retire", headers=_admin(platform))
        assert retired.status_code == 200, retired.text

        async with MembersUnitOfWork(pool, scope=None) as uow:
            taken_by_b = await uow.accounts.claim_due(now, now + timedelta(minutes=2), 10)
            await uow.commit()
        assert taken_by_b == []  # still A's
        async with MembersUnitOfWork(pool, scope=None) as uow:
            await uow.accounts.synced(leased, "kc-user", now)  # A finishes the older version
            await uow.commit()
        shown = await _account(client, platform, member_id)
        assert (shown["enabled"], shown["state"]) == (False, "pending")  # the retirement waits
        kc = FakeKeycloak()
        await _sync(pool, kc, now)
        user = kc.by_username(shown["username"])
        assert user is not None
        assert user["enabled"] is False


async def test_a_liaison_signed_in_as_a_constituent_reports_their_own_hardship(
    platform: Platform,
) -> None:
    async with _members(platform) as (client, _):
        member_id = await _register(client, platform)
        body = {"name": "李晓芳", "phone": "17012345678"}
        linked = await client.post(
            f"/v1/members/{member_id}/liaisons", json=body, headers=_admin(platform)
        )
        assert linked.status_code == 201, linked.text
        liaison_id = linked.json()["id"]
        token = issue_token(
            platform.keys.private_key, role=Role.CONSTITUENT, region=MISHAN, subject="kc-li"
        )
        citizen = {"Authorization": f"Bearer {token}"}
        report = {"kind": "hardship", "summary": "家中老人住院，需要帮扶"}
        before = await client.post("/v1/me/circumstances", json=report, headers=citizen)
        assert before.status_code == 404
        link = await client.put(
            f"/v1/liaisons/{liaison_id}/account",
            json={"subject": "kc-li"},
            headers=_admin(platform),
        )
        assert link.status_code == 204, link.text
        me = await client.get("/v1/me/liaison", headers=citizen)
        assert me.json() == {"liaison_id": liaison_id}
        reported = await client.post("/v1/me/circumstances", json=report, headers=citizen)
        assert reported.status_code == 201, reported.text
        assert reported.json()["reported_by"] == "kc-li"
        event = await platform.fetchval(
            "members",
            "SELECT payload FROM outbox_message WHERE event_type = $1",
            "members.liaison.circumstance_reported.v1",
        )
        assert event is not None
        assert liaison_id in event
