"""Liaisons (界别群众联系人) on the real Postgres: link, change, unlink, quota, circumstances."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from shared.auth import Role
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving

JIXI, MISHAN = "230300", "230382"
PHONE, ID_NUMBER = "13812345678", "230382198506123455"  # check character computed by hand


@asynccontextmanager
async def _members(platform: Platform, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = members_app(platform.settings(MembersSettings, "members", **settings))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        yield client


async def _register(client: httpx.AsyncClient, platform: Platform) -> UUID:
    body = {
        "full_name": "陈委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
    }
    response = await client.post("/v1/members", json=body, headers=_admin(platform))
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


def _admin(platform: Platform) -> dict[str, str]:
    return platform.keys.headers(Role.CITY_ADMIN, JIXI)


def _liaison(**overrides: Any) -> dict[str, Any]:
    return {"name": "李晓芳", "phone": PHONE, "workplace": "密山市第一中学", **overrides}


async def _count(platform: Platform, sql: str, *args: Any) -> int:
    return int(await platform.fetchval("members", sql, *args))


async def test_a_linked_liaison_is_answered_masked_and_stored_encrypted_with_an_audit_row(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        member_id = await _register(client, platform)
        body = _liaison(id_number=ID_NUMBER, consent_to_departments=True)
        response = await client.post(
            f"/v1/members/{member_id}/liaisons", json=body, headers=_admin(platform)
        )
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"/v1/liaisons/{created['id']}"
    assert created["disclosure"] == "masked"
    assert (created["name"], created["phone"]) == ("李*芳", "138****5678")
    assert (created["workplace"], created["id_number"]) == ("密山***", "230382********3455")
    assert (created["region_code"], created["status"]) == (MISHAN, "linked")
    assert created["consent_to_departments"] is True

    row = await platform.fetchval(
        "members",
        "SELECT row(name_masked, phone_masked, name_enc, phone_enc, id_number_enc) FROM liaison",
    )
    name_masked, phone_masked, *sealed = row
    assert (name_masked, phone_masked) == ("李*芳", "138****5678")
    for blob in sealed:
        assert PHONE.encode() not in blob
        assert ID_NUMBER.encode() not in blob
        assert "李晓芳".encode() not in blob
    audit = await platform.fetchval(
        "members", "SELECT row(action, fields, liaison_id::text) FROM pii_audit"
    )
    assert audit == ("create", ["name", "phone", "workplace", "id_number"], created["id"])
    assert await _count(platform, "SELECT count(*) FROM outbox_message") == 2  # member, liaison


async def test_retrying_with_the_same_idempotency_key_links_the_liaison_once(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        member_id = await _register(client, platform)
        url = f"/v1/members/{member_id}/liaisons"
        headers = {**_admin(platform), "Idempotency-Key": "roster-row-17"}
        first = await client.post(url, json=_liaison(), headers=headers)
        again = await client.post(url, json=_liaison(), headers=headers)
        other = await client.post(url, json=_liaison(phone="13987654321"), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert other.status_code == 409, "the same key for a different liaison is refused"
    assert await _count(platform, "SELECT count(*) FROM liaison") == 1
    linked = "SELECT count(*) FROM outbox_message WHERE event_type = 'members.liaison.linked.v1'"
    assert await _count(platform, linked) == 1


async def test_the_quota_maximum_is_a_conflict_and_falling_below_the_minimum_a_warning(
    platform: Platform,
) -> None:
    quota = {"liaison_quota_min": 2, "liaison_quota_target": 2, "liaison_quota_max": 3}
    async with _members(platform, **quota) as client:
        member_id = await _register(client, platform)
        url = f"/v1/members/{member_id}/liaisons"
        statuses = []
        for n in range(4):
            response = await client.post(
                url, json=_liaison(phone=f"1391234567{n}"), headers=_admin(platform)
            )
            statuses.append(response.status_code)
            if n == 0:
                member = (
                    await client.get(f"/v1/members/{member_id}", headers=_admin(platform))
                ).json()
                assert member["linked_liaisons"] == 1
                assert member["warnings"] == [
                    "below the liaison quota: 1 linked, at least 2 expected"
                ]
        member = (await client.get(f"/v1/members/{member_id}", headers=_admin(platform))).json()
    assert statuses == [201, 201, 201, 409]
    assert (member["linked_liaisons"], member["warnings"]) == (3, [])
    assert await _count(platform, "SELECT count(*) FROM liaison") == 3


async def test_a_bad_phone_or_id_number_is_a_422_naming_the_field_and_nothing_is_written(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        member_id = await _register(client, platform)
        url = f"/v1/members/{member_id}/liaisons"
        bad_phone = await client.post(url, json=_liaison(phone="1381234"), headers=_admin(platform))
        bad_id = await client.post(
            url, json=_liaison(id_number="230382198506123456"), headers=_admin(platform)
        )
    assert bad_phone.status_code == 422
    assert [e["loc"] for e in bad_phone.json()["errors"]] == [["body", "phone"]]
    assert bad_id.status_code == 422
    (error,) = bad_id.json()["errors"]
    assert error["loc"] == ["body", "id_number"]
    assert "GB 11643 checksum" in error["msg"]
    assert await _count(platform, "SELECT count(*) FROM liaison") == 0
    assert await _count(platform, "SELECT count(*) FROM pii_audit") == 0


async def test_a_patch_changes_only_what_is_sent_and_an_unchanged_patch_records_nothing(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        member_id = await _register(client, platform)
        owner = platform.keys.headers(Role.MEMBER, MISHAN, member_id=member_id)
        created = await client.post(
            f"/v1/members/{member_id}/liaisons", json=_liaison(), headers=owner
        )
        url = f"/v1/liaisons/{created.json()['id']}"
        change = {"phone": "0467-2345678", "workplace": None, "consent_to_departments": True}
        patched = await client.patch(url, json=change, headers=owner)
        repeated = await client.patch(url, json=change, headers=_admin(platform))
        cleared_name = await client.patch(url, json={"name": None}, headers=owner)
        read = (await client.get(url, headers=owner)).json()
    assert patched.status_code == 200, patched.text
    assert (patched.json()["phone"], patched.json()["disclosure"]) == ("046****5678", "masked")
    assert repeated.status_code == 200
    assert cleared_name.status_code == 422
    assert (read["name"], read["phone"], read["workplace"]) == ("李晓芳", "0467-2345678", None)
    assert read["consent_to_departments"] is True
    updates = await platform.fetchval(
        "members", "SELECT array_agg(fields) FROM pii_audit WHERE action = 'update'"
    )
    assert updates == [["phone", "workplace", "consent_to_departments"]]
    updated = "SELECT count(*) FROM outbox_message WHERE event_type = 'members.liaison.updated.v1'"
    assert await _count(platform, updated) == 1


async def test_an_unlinked_liaison_leaves_the_list_and_can_no_longer_be_changed(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        member_id = await _register(client, platform)
        admin = _admin(platform)
        created = await client.post(
            f"/v1/members/{member_id}/liaisons", json=_liaison(), headers=admin
        )
        url = f"/v1/liaisons/{created.json()['id']}"
        unlinked = await client.post(f"{url}/unlink", headers=admin)
        twice = await client.post(f"{url}/unlink", headers=admin)
        patched = await client.patch(url, json={"phone": "13987654321"}, headers=admin)
        listed = await client.get(f"/v1/members/{member_id}/liaisons", headers=admin)
        everyone = await client.get(
            f"/v1/members/{member_id}/liaisons", headers=admin, params={"include_unlinked": True}
        )
    assert unlinked.status_code == 200
    assert unlinked.json()["status"] == "unlinked"
    assert unlinked.json()["unlinked_at"]
    assert (twice.status_code, patched.status_code) == (409, 409)
    assert listed.json()["items"] == []
    assert [i["status"] for i in everyone.json()["items"]] == ["unlinked"]
    audit = await platform.fetchval(
        "members", "SELECT array_agg(action ORDER BY id) FROM pii_audit"
    )
    assert audit == ["create", "unlink"]


async def test_circumstances_are_reported_by_the_member_or_an_office_and_listed_newest_first(
    platform: Platform,
) -> None:
    async with _members(platform) as client:
        member_id = await _register(client, platform)
        owner = platform.keys.headers(Role.MEMBER, MISHAN, member_id=member_id)
        created = await client.post(
            f"/v1/members/{member_id}/liaisons", json=_liaison(), headers=owner
        )
        url = f"/v1/liaisons/{created.json()['id']}/circumstances"
        by_owner = await client.post(
            url, json={"kind": "life_change", "summary": "调任县城工作"}, headers=owner
        )
        by_office = await client.post(
            url, json={"kind": "hardship", "summary": "家中失火"}, headers=_admin(platform)
        )
        staff = platform.keys.headers(Role.COMMITTEE_STAFF, JIXI)
        by_staff = await client.post(
            url, json={"kind": "request", "summary": "反映供暖问题"}, headers=staff
        )
        bad_kind = await client.post(
            url, json={"kind": "birthday", "summary": "生日"}, headers=owner
        )
        too_long = await client.post(
            url, json={"kind": "request", "summary": "长" * 2001}, headers=owner
        )
        listed = await client.get(url, headers=staff)
    assert (by_owner.status_code, by_office.status_code) == (201, 201), by_owner.text
    assert by_staff.status_code == 403
    assert (bad_kind.status_code, too_long.status_code) == (422, 422)
    assert [(c["kind"], c["summary"]) for c in listed.json()] == [
        ("hardship", "家中失火"),
        ("life_change", "调任县城工作"),
    ]
    reported = "SELECT count(*) FROM outbox_message WHERE event_type LIKE '%circumstance_reported%'"
    assert await _count(platform, reported) == 2
    assert await _count(platform, "SELECT count(*) FROM liaison_circumstance") == 2
