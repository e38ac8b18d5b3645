"""Accounts follow the directory, end to end on a real Keycloak: a registered member's account
is made by the members service's own provisioning client, the member signs in and the services
accept the Keycloak-issued token; retiring the member disables the account; an office creates a
clerk's account with a one-time password."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

from deploy.local.keycloak import (
    DEV_SECRETS,
    PROVISIONING_CLIENT,
    KeycloakAdmin,
    KeycloakServer,
)
from services.members.main import create_app
from services.members.settings import MembersSettings
from shared.auth import Role
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI, MISHAN = "230300", "230382"
PASSWORD = "Xk3-test-pass-2026"  # a test account's


@asynccontextmanager
async def _members(
    platform: Platform, keycloak: KeycloakServer, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    secret = tmp_path / "provisioning.secret"
    secret.write_text(DEV_SECRETS[PROVISIONING_CLIENT])
    settings = platform.trusting(keycloak).settings(
        MembersSettings,
        "members",
        accounts_client_secret_file=secret,
        accounts_sync_interval_seconds=0.2,
    )
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as client,
    ):
        await add_jixi_committee(client, platform.keys)
        yield client


def _admin(platform: Platform) -> dict[str, str]:
    return platform.keys.headers(Role.CITY_ADMIN, JIXI)


async def _synced_account(
    client: httpx.AsyncClient, platform: Platform, member_id: UUID, *, enabled: bool
) -> dict[str, Any]:
    async def account() -> dict[str, Any]:
        answer = await client.get(f"/v1/members/{member_id}/account", headers=_admin(platform))
        body: dict[str, Any] = answer.json()
        return body

    return await eventually(
        account, lambda a: a["state"] == "synced" and a["enabled"] is enabled, timeout=60
    )


def _user(keycloak: KeycloakServer, username: str) -> dict[str, Any]:
    with KeycloakAdmin.of(keycloak) as admin:
        user = admin.user(username)
        assert user is not None
        return user


def _set_password(keycloak: KeycloakServer, user_id: str) -> None:
    body = {"type": "password", "value": PASSWORD, "temporary": False}
    with KeycloakAdmin.of(keycloak) as admin:
        admin.request("PUT", f"/users/{user_id}/reset-password", json=body)


async def test_a_registered_member_signs_in_with_keycloak_until_retired(
    platform: Platform, keycloak: KeycloakServer, tmp_path: Path
) -> None:
    async with _members(platform, keycloak, tmp_path) as client:
        body = {
            "full_name": "陈委员",
            "sector_code": "education",
            "committee_code": JIXI_COMMITTEE,
            "region_code": MISHAN,
        }
        registered = await client.post("/v1/members", json=body, headers=_admin(platform))
        assert registered.status_code == 201, registered.text
        member_id = UUID(registered.json()["id"])
        account = await _synced_account(client, platform, member_id, enabled=True)
        user = await asyncio.to_thread(_user, keycloak, account["username"])
        assert user["attributes"]["member_id"] == [str(member_id)]
        assert user["attributes"]["region"] == [MISHAN]

        issued = await client.post(
            f"/v1/members/{member_id}/account/password", headers=_admin(platform)
        )
        assert issued.status_code == 200, issued.text
        assert issued.json()["username"] == account["username"]
        user = await asyncio.to_thread(_user, keycloak, account["username"])
        assert user["requiredActions"] == ["UPDATE_PASSWORD"]  # one-time: chosen anew at sign-in

        await asyncio.to_thread(_set_password, keycloak, user["id"])
        tokens = await asyncio.to_thread(keycloak.password_token, account["username"], PASSWORD)
        own = {"Authorization": f"Bearer {tokens['access_token']}"}
        seen = await client.get(f"/v1/members/{member_id}", headers=own)
        assert seen.status_code == 200, seen.text  # a Keycloak token, accepted as the member
        assert seen.json()["full_name"] == "陈委员"

        retired = await client.post(f"/v1/members/{member_id}/retire", headers=_admin(platform))
        assert retired.status_code == 200, retired.text
        await _synced_account(client, platform, member_id, enabled=False)
        with pytest.raises(RuntimeError, match="400"):
            await asyncio.to_thread(keycloak.password_token, account["username"], PASSWORD)


async def test_a_city_office_creates_a_clerks_account_with_a_one_time_password(
    platform: Platform, keycloak: KeycloakServer, tmp_path: Path
) -> None:
    async with _members(platform, keycloak, tmp_path) as client:
        body = {
            "username": "jx-clerk-wang",
            "full_name": "王文书",
            "role": "committee_staff",
            "region_code": JIXI,
        }
        created = await client.post("/v1/accounts", json=body, headers=_admin(platform))
        assert created.status_code == 201, created.text
        assert len(created.json()["temporary_password"]) == 12
        harbin = await client.post(
            "/v1/accounts",
            json={**body, "username": "hrb-x", "region_code": "230100"},
            headers=_admin(platform),
        )
        assert harbin.status_code == 403
        # A department account speaks for a department of the directory, in its region.
        bureau = {"code": "jx-transport", "name": "鸡西市交通运输局", "region_code": JIXI}
        registered = await client.post("/v1/departments", json=bureau, headers=_admin(platform))
        assert registered.status_code == 201, registered.text
        officer = {**body, "username": "jx-officer", "role": "department"}
        unknown = await client.post(
            "/v1/accounts",
            json={**officer, "department_code": "hlj-education"},
            headers=_admin(platform),
        )
        assert unknown.status_code == 422, unknown.text
        known = await client.post(
            "/v1/accounts",
            json={**officer, "department_code": "jx-transport"},
            headers=_admin(platform),
        )
        assert known.status_code == 201, known.text
    with KeycloakAdmin.of(keycloak) as admin:
        assert "committee_staff" in admin.realm_roles_of("jx-clerk-wang")
        assert admin.user("hrb-x") is None
        assert "department" in admin.realm_roles_of("jx-officer")
