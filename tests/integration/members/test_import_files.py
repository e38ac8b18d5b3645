"""Whole-file answers of POST /v1/imports (size, format, headers, roles) and the templates."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import httpx
import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from services.members.api import imports as api
from services.members.api.deps import Deps
from services.members.handlers.imports import ImportServices
from services.members.importing.files import write_csv
from services.members.importing.kinds import COLUMNS, ImportKind
from services.members.importing.synthetic import City
from services.members.main import create_app
from services.members.settings import MembersSettings
from shared.auth import Role
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI = "230300"
MEMBERS_CSV = write_csv(ImportKind.MEMBERS, City().member_rows())


@asynccontextmanager
async def _members(platform: Platform, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    settings = platform.settings(MembersSettings, "members", **overrides)
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        yield client


async def _post(client: httpx.AsyncClient, kind: str, content: bytes, **kw: Any) -> Any:
    admin = kw.pop("headers", None)
    files = {"file": (kw.pop("name", "members.csv"), content)}
    return await client.post(f"/v1/imports/{kind}", files=files, headers=admin, **kw)


async def test_files_that_are_not_an_import_file_get_a_problem_and_no_job(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    header_only = write_csv(ImportKind.MEMBERS, [])
    lines = MEMBERS_CSV.decode("utf-8-sig").splitlines()
    renamed = "\n".join([lines[0].replace("姓名(full_name)", "名字"), *lines[1:]]).encode()
    gbk = "外部编号,姓名\nJX-1,张三\n".encode("gbk")
    async with _members(platform) as client:
        answers = {
            "json": await client.post("/v1/imports/members", json={}, headers=admin),
            "no file part": await client.post(
                "/v1/imports/members", files={"other": ("a.csv", b"x")}, headers=admin
            ),
            "header only": await _post(client, "members", header_only, headers=admin),
            "empty": await _post(client, "members", b"", headers=admin),
            "not utf-8": await _post(client, "members", gbk, headers=admin),
            "not xlsx": await _post(client, "members", b"PK\x03\x04rubbish", headers=admin),
            "renamed column": await _post(client, "members", renamed, headers=admin),
            "unknown kind": await _post(client, "visits", MEMBERS_CSV, headers=admin),
        }
    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == {
        "json": 415,
        "no file part": 422,
        "header only": 422,
        "empty": 422,
        "not utf-8": 422,
        "not xlsx": 422,
        "renamed column": 422,
        "unknown kind": 422,
    }
    assert all(r.headers["content-type"] == "application/problem+json" for r in answers.values())
    assert answers["renamed column"].json()["errors"] == [
        {"row": 1, "column": "名字", "reason": "not a column of the members file"},
        {"row": 1, "column": "姓名(full_name)", "reason": "required column is missing"},
    ]
    assert await platform.fetchval("members", "SELECT count(*) FROM import_job") == 0


async def test_a_file_over_the_byte_limit_is_refused(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform, import_max_bytes=1000) as client:
        response = await _post(client, "members", MEMBERS_CSV, headers=admin)
    assert response.status_code == 413
    assert "1000 bytes" in response.json()["detail"]


async def test_a_file_over_the_row_limit_is_refused(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = api._services

    def five_rows(deps: Deps) -> ImportServices:
        return dataclasses.replace(built(deps), max_rows=5)

    monkeypatch.setattr(api, "_services", five_rows)
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        response = await _post(client, "members", MEMBERS_CSV, headers=admin)
    assert response.status_code == 413
    assert response.json()["detail"] == "a file holds at most 5 data rows"


async def test_only_registrars_import_and_see_imports(platform: Platform) -> None:
    staff = platform.keys.headers(Role.COMMITTEE_STAFF, JIXI)
    async with _members(platform) as client:
        upload = await _post(client, "members", MEMBERS_CSV, headers=staff)
        listing = await client.get("/v1/imports", headers=staff)
        template = await client.get("/v1/import-templates/members.csv", headers=staff)
        anonymous = await _post(client, "members", MEMBERS_CSV)
    assert [upload.status_code, listing.status_code, template.status_code] == [403, 403, 403]
    assert anonymous.status_code == 401


async def test_templates_have_chinese_and_english_headers_in_both_formats(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.COUNTY_ADMIN, "230382")
    async with _members(platform) as client:
        got = {
            (kind, fmt): await client.get(f"/v1/import-templates/{kind.value}.{fmt}", headers=admin)
            for kind in ImportKind
            for fmt in ("csv", "xlsx")
        }
        unknown = await client.get("/v1/import-templates/visits.csv", headers=admin)
    assert unknown.status_code == 422
    for (kind, fmt), response in got.items():
        assert response.status_code == 200, response.text
        expected = [c.header for c in COLUMNS[kind]]
        if fmt == "csv":
            assert response.content.startswith("\ufeff".encode())
            header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
            header = [c for c in next(sheet.iter_rows(values_only=True))]
        assert header == expected
        assert "attachment" in response.headers["content-disposition"]


async def test_jobs_are_listed_newest_first_within_the_scope(platform: Platform) -> None:
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    province = platform.keys.headers(Role.PROVINCE_ADMIN, "230000")
    harbin = platform.keys.headers(Role.CITY_ADMIN, "230100")
    async with _members(platform) as client:
        first = await _post(client, "committees", b"external_id\nX-1\n", headers=jixi)
        second = await _post(client, "members", MEMBERS_CSV, headers=jixi)
        mine = (await client.get("/v1/imports", headers=jixi)).json()
        everyone = (await client.get("/v1/imports", headers=province)).json()
        others = (await client.get("/v1/imports", headers=harbin)).json()
    assert first.status_code == 422, "a file without the required columns makes no job"
    assert [j["id"] for j in mine] == [second.json()["id"]]
    assert [j["id"] for j in everyone] == [second.json()["id"]]
    assert others == []


async def test_a_job_whose_process_died_reads_failed_once_its_heartbeat_is_stale(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        accepted = await _post(client, "members", MEMBERS_CSV, headers=admin)
        job_id = accepted.json()["id"]
        await eventually(  # it fails on its own (no committees yet); then play dead
            lambda: client.get(f"/v1/imports/{job_id}", headers=admin),
            lambda r: r.json()["status"] == "failed",
        )
        await platform.fetchval(
            "members",
            """UPDATE import_job SET status = 'applying', finished_at = NULL,
                   heartbeat_at = now() - interval '10 minutes' WHERE id = $1""",
            UUID(job_id),
        )
        job = (await client.get(f"/v1/imports/{job_id}", headers=admin)).json()
    assert job["status"] == "failed"
    assert job["detail"].startswith("the import stopped")
