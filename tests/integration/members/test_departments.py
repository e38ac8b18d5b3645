"""Departments (承办单位) in the directory on the real stack: imported like the rest (one bad
row rejects the file with a Chinese reason; fixed, it applies; again, it changes nothing), kept
through the API, searched by name inside the caller's scope, announced on their topic."""

from __future__ import annotations

from typing import Any

from services.members.importing.files import write_csv
from services.members.importing.kinds import ImportKind
from shared.auth import Role
from shared.contracts.topics import MEMBERS_DEPARTMENT
from tests.integration.members.test_import import _import, _members
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.wait import eventually

JIXI, HARBIN = "230300", "230100"
ROWS = [
    ["JX-D-1", "jx-education-bureau", "鸡西市教育局", JIXI, "0467-2300001", "ZWLD-230300-0001"],
    ["JX-D-2", "jx-housing-bureau", "鸡西市住房和城乡建设局", "239999", "", ""],
]


def _file(rows: list[list[str]]) -> bytes:
    return write_csv(ImportKind.DEPARTMENTS, rows)


async def _types(platform: Platform) -> list[str]:
    messages = await read_all(
        platform.stack.kafka_bootstrap, platform.topic(MEMBERS_DEPARTMENT.name)
    )
    return [dict(m.headers)["ce_type"].decode() for m in messages]


async def test_a_departments_file_with_a_bad_row_is_fixed_and_imported_once(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        bad = await _import(client, admin, "departments", _file(ROWS))
        fixed_rows = [ROWS[0], [*ROWS[1][:3], JIXI, "", ""]]
        good = await _import(client, admin, "departments", _file(fixed_rows))
        again = await _import(client, admin, "departments", _file(fixed_rows))
        found = await client.get("/v1/departments", params={"q": "教育"}, headers=admin)
        elsewhere = await client.get(
            "/v1/departments", headers=platform.keys.headers(Role.CITY_ADMIN, HARBIN)
        )
        await eventually(lambda: _types(platform), lambda t: len(t) == 2, what="two events")
    assert bad["status"] == "failed"
    assert [(e["row"], e["reason"]) for e in bad["errors"]] == [(3, "行政区划代码不存在")]
    assert (good["status"], good["created"]) == ("done", 2)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert found.status_code == 200, found.text
    assert [(d["name"], d["code"], d["platform_id"]) for d in found.json()["items"]] == [
        ("鸡西市教育局", "jx-education-bureau", "ZWLD-230300-0001")
    ]
    assert elsewhere.json() == {"items": [], "total": 0}
    assert await _types(platform) == ["members.department.registered.v1"] * 2


async def test_an_office_registers_renames_and_another_city_cannot_see_it(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    harbin = platform.keys.headers(Role.CITY_ADMIN, HARBIN)
    body: dict[str, Any] = {"code": "jx-water", "name": "鸡西市水务局", "region_code": JIXI}
    async with _members(platform) as client:
        created = await client.post("/v1/departments", json=body, headers=admin)
        assert created.status_code == 201, created.text
        url = f"/v1/departments/{created.json()['id']}"
        renamed = await client.patch(url, json={"name": "鸡西市水务局（河长办）"}, headers=admin)
        stolen = await client.patch(url, json={"name": "改名"}, headers=harbin)
        twice = await client.post("/v1/departments", json=body, headers=admin)
        foreign = await client.post(
            "/v1/departments", json={**body, "code": "x", "region_code": HARBIN}, headers=admin
        )
        await eventually(lambda: _types(platform), lambda t: len(t) == 2, what="two events")
    assert renamed.json()["name"] == "鸡西市水务局（河长办）"
    assert stolen.status_code == 404
    assert twice.status_code == 409
    assert "承办单位" in twice.json()["detail"]
    assert foreign.status_code == 403
    assert await _types(platform) == [
        "members.department.registered.v1",
        "members.department.updated.v1",
    ]
