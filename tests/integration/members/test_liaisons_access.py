"""Who sees a liaison's personal data: the owner in clear, offices masked or revealed with a
reason, special committees masked only, everyone else nothing (404). Reads in clear are audited."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from shared.auth import Role
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.platform import Platform
from tests.support.servers import serving

PROVINCE, JIXI, HARBIN, MISHAN, HULIN = "230000", "230300", "230100", "230382", "230381"
PHONE, ID_NUMBER = "13812345678", "230382198506123455"
CLEAR = {"name": "李晓芳", "phone": PHONE, "workplace": "密山市第一中学", "id_number": ID_NUMBER}
MASKED = {
    "name": "李*芳",
    "phone": "138****5678",
    "workplace": "密山***",
    "id_number": "230382********3455",
}


@dataclass(frozen=True)
class Roster:
    """A running members service with one Mishan member who has one liaison."""

    client: httpx.AsyncClient
    platform: Platform
    member_id: UUID
    liaison_id: UUID

    def headers(self, role: Role, region: str, member_id: UUID | None = None) -> dict[str, str]:
        return self.platform.keys.headers(role, region, member_id=member_id)

    @property
    def owner(self) -> dict[str, str]:
        return self.headers(Role.MEMBER, MISHAN, self.member_id)

    async def get(self, headers: dict[str, str], **params: Any) -> httpx.Response:
        return await self.client.get(
            f"/v1/liaisons/{self.liaison_id}", headers=headers, params=params
        )

    async def audit(self) -> list[tuple[str, str, list[str], str]]:
        rows = await self.platform.fetchval(
            "members",
            "SELECT array_agg(row(action, actor_role, fields, reason) ORDER BY id) FROM pii_audit",
        )
        return [tuple(r) for r in rows or []]


@asynccontextmanager
async def _roster(platform: Platform) -> AsyncIterator[Roster]:
    app = members_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        member_id = await _register(client, platform)
        admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
        created = await client.post(f"/v1/members/{member_id}/liaisons", json=CLEAR, headers=admin)
        assert created.status_code == 201, created.text
        yield Roster(client, platform, member_id, UUID(created.json()["id"]))


async def _register(client: httpx.AsyncClient, platform: Platform) -> UUID:
    body = {
        "full_name": "陈委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
    }
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    response = await client.post("/v1/members", json=body, headers=admin)
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


def _personal(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in CLEAR}


async def test_the_owning_member_reads_in_clear_and_each_read_is_audited(
    platform: Platform,
) -> None:
    async with _roster(platform) as roster:
        response = await roster.get(roster.owner)
        assert response.status_code == 200
        assert response.json()["disclosure"] == "full"
        assert _personal(response.json()) == CLEAR
        assert (await roster.audit())[1:] == [
            ("read", "member", ["name", "phone", "workplace", "id_number"], "own liaison")
        ]


async def test_offices_in_scope_read_masked_and_masked_reads_are_not_audited(
    platform: Platform,
) -> None:
    async with _roster(platform) as roster:
        for role, region in [
            (Role.PROVINCE_ADMIN, PROVINCE),
            (Role.CITY_ADMIN, JIXI),
            (Role.COUNTY_ADMIN, MISHAN),
            (Role.COMMITTEE_STAFF, JIXI),
        ]:
            response = await roster.get(roster.headers(role, region))
            assert response.status_code == 200, (role, response.text)
            assert response.json()["disclosure"] == "masked"
            assert _personal(response.json()) == MASKED
        assert [a[0] for a in await roster.audit()] == ["create"]


async def test_an_office_reveals_only_with_a_reason_and_the_reason_is_audited(
    platform: Platform,
) -> None:
    async with _roster(platform) as roster:
        county = roster.headers(Role.COUNTY_ADMIN, MISHAN)
        no_reason = await roster.get(county, reveal=True)
        short = await roster.get(county, reveal=True, reason="查")
        long = await roster.get(county, reveal=True, reason="查" * 201)
        revealed = await roster.get(county, reveal=True, reason="核实困难帮扶对象身份")
        assert (no_reason.status_code, short.status_code, long.status_code) == (422, 422, 422)
        assert "reason" in no_reason.json()["detail"]
        assert revealed.status_code == 200
        assert revealed.json()["disclosure"] == "full"
        assert _personal(revealed.json()) == CLEAR
        assert (await roster.audit())[1:] == [
            ("reveal", "county_admin", list(CLEAR), "核实困难帮扶对象身份")
        ]


async def test_special_committees_see_masked_only_and_may_neither_reveal_nor_change(
    platform: Platform,
) -> None:
    async with _roster(platform) as roster:
        staff = roster.headers(Role.COMMITTEE_STAFF, JIXI)
        url = f"/v1/liaisons/{roster.liaison_id}"
        reveal = await roster.get(staff, reveal=True, reason="想看看完整信息")
        patch = await roster.client.patch(url, json={"phone": "13987654321"}, headers=staff)
        unlink = await roster.client.post(f"{url}/unlink", headers=staff)
        create = await roster.client.post(
            f"/v1/members/{roster.member_id}/liaisons", json=CLEAR, headers=staff
        )
        for response in (reveal, patch, unlink, create):
            assert response.status_code == 403, response.text
            assert PHONE not in response.text
            assert "李晓芳" not in response.text
        assert [a[0] for a in await roster.audit()] == ["create"]


async def test_departments_constituents_the_data_platform_and_auditors_find_no_liaison(
    platform: Platform,
) -> None:
    async with _roster(platform) as roster:
        lid, mid = roster.liaison_id, roster.member_id
        calls = [
            ("GET", f"/v1/liaisons/{lid}", None),
            ("GET", f"/v1/liaisons/{lid}?reveal=true&reason=because+I+can", None),
            ("PATCH", f"/v1/liaisons/{lid}", {"phone": "13987654321"}),
            ("POST", f"/v1/liaisons/{lid}/unlink", None),
            ("GET", f"/v1/liaisons/{lid}/circumstances", None),
            ("POST", f"/v1/liaisons/{lid}/circumstances", {"kind": "request", "summary": "x"}),
            ("GET", f"/v1/members/{mid}/liaisons", None),
            ("POST", f"/v1/members/{mid}/liaisons", CLEAR),
        ]
        for role, region in [
            (Role.DEPARTMENT, JIXI),
            (Role.CONSTITUENT, MISHAN),
            (Role.DATA_PLATFORM, PROVINCE),
            (Role.AUDITOR, PROVINCE),
        ]:
            for method, url, body in calls:
                response = await roster.client.request(
                    method, url, json=body, headers=roster.headers(role, region)
                )
                assert response.status_code == 404, (role, method, url, response.text)
                assert "李" not in response.text
        assert [a[0] for a in await roster.audit()] == ["create"]
    assert await platform.fetchval("members", "SELECT count(*) FROM liaison") == 1


async def test_another_regions_office_and_another_member_get_404_for_real_and_random_ids(
    platform: Platform,
) -> None:
    async with _roster(platform) as roster:
        strangers = [
            roster.headers(Role.CITY_ADMIN, HARBIN),
            roster.headers(Role.COUNTY_ADMIN, HULIN),
            roster.headers(Role.COMMITTEE_STAFF, HARBIN),
            roster.headers(Role.MEMBER, MISHAN, uuid4()),
        ]
        for headers in strangers:
            for liaison_id in [roster.liaison_id, *(uuid4() for _ in range(20))]:
                url = f"/v1/liaisons/{liaison_id}"
                assert (await roster.client.get(url, headers=headers)).status_code == 404
            listed = await roster.client.get(
                f"/v1/members/{roster.member_id}/liaisons", headers=headers
            )
            assert listed.status_code == 404
            reveal = await roster.get(headers, reveal=True, reason="跨区域查询测试")
            assert reveal.status_code == 404


async def test_lists_are_masked_for_offices_and_in_clear_for_the_owner_with_a_row_per_liaison(
    platform: Platform,
) -> None:
    async with _roster(platform) as roster:
        url = f"/v1/members/{roster.member_id}/liaisons"
        second = {"name": "王建国", "phone": "0467-2345678"}
        added = await roster.client.post(url, json=second, headers=roster.owner)
        assert added.status_code == 201, added.text
        office = await roster.client.get(url, headers=roster.headers(Role.CITY_ADMIN, JIXI))
        own = await roster.client.get(url, headers=roster.owner)
        assert {i["disclosure"] for i in office.json()["items"]} == {"masked"}
        assert sorted(i["name"] for i in office.json()["items"]) == ["李*芳", "王*国"]
        assert {i["disclosure"] for i in own.json()["items"]} == {"full"}
        assert sorted(i["phone"] for i in own.json()["items"]) == ["0467-2345678", PHONE]
        reads = [a for a in await roster.audit() if a[0] == "read"]
        assert sorted(reads) == [
            ("read", "member", ["name", "phone"], "own liaisons listed"),
            ("read", "member", list(CLEAR), "own liaisons listed"),
        ]
        per_liaison = await platform.fetchval(
            "members", "SELECT count(DISTINCT liaison_id) FROM pii_audit WHERE action = 'read'"
        )
        assert per_liaison == 2
