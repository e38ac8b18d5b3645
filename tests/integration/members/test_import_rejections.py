"""Files an import must refuse, whole: bad rows, rows outside the caller's scope, a quota
overrun, an external id hidden by row-level security, a row edited during the apply. Each
names its rows and columns and applies nothing at all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from services.members.domain.members import LiaisonQuota
from services.members.importing.base import ImportContext
from services.members.importing.errors import DirectoryChanged, RowError
from services.members.importing.files import read_table, write_csv
from services.members.importing.kinds import ImportKind
from services.members.importing.members import MemberImporter
from services.members.importing.rows import parse_chunk
from services.members.importing.synthetic import City
from services.members.pii import PiiCipher
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.db.pool import create_pool
from tests.integration.members.test_import import (
    HARBIN,
    JIXI,
    KINDS,
    MISHAN,
    _count,
    _counts,
    _csv_rows,
    _import,
    _members,
    _sample,
)
from tests.support.platform import Platform


async def test_a_file_with_bad_rows_applies_nothing_and_names_every_row_and_column(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    committee = "cppcc-230300"
    rows = [*City().member_rows()[:5]]
    rows += [
        ["JX-M-90001", "", "education", committee, "", "230302", "", ""],
        ["JX-M-90002", "赵某某", "astrology", committee, "", "230302", "", ""],
        ["JX-M-90003", "钱某某", "education", committee, "", HARBIN, "", ""],
        ["JX-M-00001", "孙某某", "education", committee, "", "230302", "", ""],
        ["JX-M-90004", "李某某", "education", "cppcc-999999", "", "230302", "", ""],
        ["bad id!", "周某某", "education", committee, "", "230302", "", ""],
        [
            "JX-M-90005",
            "吴某某",
            "education",
            committee,
            "cppcc-230300-edu",
            "230302",
            "",
            "x" * 201,
        ],
    ]
    async with _members(platform) as client:
        await _import(client, admin, "committees", _sample(ImportKind.COMMITTEES))
        before = await _counts(platform)
        job = await _import(client, admin, "members", write_csv(ImportKind.MEMBERS, rows))
    assert job["status"] == "failed"
    assert (job["created"], job["updated"], job["unchanged"]) == (0, 0, 0)
    assert job["error_count"] == 7
    assert [(e["row"], e["column"], e["reason"]) for e in job["errors"]] == [
        (7, "姓名(full_name)", "required"),
        (8, "界别代码(sector_code)", "unknown sector code"),
        (9, "行政区划代码(region_code)", "outside your region scope"),
        (10, "外部编号(external_id)", "external_id repeats row 2"),
        (11, "所属政协代码(committee_code)", "no such committee in your scope"),
        (12, "外部编号(external_id)", "not a valid external id"),
        (13, "职务(title)", "longer than 200 characters"),
    ]
    assert await _counts(platform) == before, "nothing applied, nothing published"


async def test_bad_personal_data_is_reported_without_repeating_it(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    good = City().liaison_rows()[:3]
    bad_phone, bad_id = "1390000123", "230302199001011235"
    rows = [
        *good,
        ["JX-L-9000001", "JX-M-00001", "张三", bad_phone, "", "", "", ""],
        ["JX-L-9000002", "JX-M-00001", "李四", "13900001234", bad_id, "", "", ""],
        ["JX-L-9000003", "JX-M-99999", "王五", "13900001235", "", "", "", ""],
        ["JX-L-9000004", "JX-M-00001", "赵六", "13900001236", "", "", "", "也许"],
    ]
    async with _members(platform) as client:
        for kind in KINDS[:2]:
            await _import(client, admin, kind, _sample(kind))
        job = await _import(client, admin, "liaisons", write_csv(ImportKind.LIAISONS, rows))
        text = (await client.get(f"/v1/imports/{job['id']}", headers=admin)).text
    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["errors"]] == [
        (5, "联系电话(phone)"),
        (6, "身份证号码(id_number)"),
        (7, "委员外部编号(member_external_id)"),
        (8, "同意向承办单位提供身份(consent_to_departments)"),
    ]
    assert "check character" in job["errors"][1]["reason"]
    for secret in (bad_phone, bad_id, "张三", "李四", "王五"):
        assert secret not in text
    assert await _count(platform, "liaison") == 0


async def test_rows_outside_the_callers_scope_are_rejected(platform: Platform) -> None:
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    mishan = platform.keys.headers(Role.COUNTY_ADMIN, MISHAN)
    harbin = platform.keys.headers(Role.CITY_ADMIN, HARBIN)
    committees = [
        ["MS-C-1", "committee", "cppcc-230382", "政协密山市委员会", MISHAN, ""],
        ["MS-C-2", "committee", "cppcc-230300-x", "越权", JIXI, ""],
    ]
    members = [
        ["MS-M-1", "密山委员", "education", "cppcc-230382", "", MISHAN, "", ""],
        ["MS-M-2", "越界委员", "education", "cppcc-230382", "", "230302", "", ""],
        ["MS-M-3", "借用委员", "education", "cppcc-230300", "", MISHAN, "", ""],
    ]
    harbin_rows = [["JX-M-00001", "同号委员", "education", "cppcc-230100", "", HARBIN, "", ""]]
    harbin_liaison = [["HB-L-1", "JX-M-00002", "某人", "13900001111", "", "", "", ""]]
    async with _members(platform) as client:
        jixi_jobs = [await _import(client, jixi, kind, _sample(kind)) for kind in KINDS[:2]]
        refused = await _import(
            client, mishan, "committees", write_csv(ImportKind.COMMITTEES, committees)
        )
        await _import(
            client, mishan, "committees", write_csv(ImportKind.COMMITTEES, committees[:1])
        )
        members_job = await _import(
            client, mishan, "members", write_csv(ImportKind.MEMBERS, members)
        )
        harbin_committee = [
            ["HB-C-1", "committee", "cppcc-230100", "政协哈尔滨市委员会", HARBIN, ""]
        ]
        await _import(
            client, harbin, "committees", write_csv(ImportKind.COMMITTEES, harbin_committee)
        )
        taken = await _import(client, harbin, "members", write_csv(ImportKind.MEMBERS, harbin_rows))
        liaison = await _import(
            client, harbin, "liaisons", write_csv(ImportKind.LIAISONS, harbin_liaison)
        )
        other_citys_job = await client.get(f"/v1/imports/{jixi_jobs[1]['id']}", headers=harbin)
    assert _problems(refused) == [(3, "行政区划代码(region_code)", "outside your region scope")]
    assert _problems(members_job) == [
        (3, "行政区划代码(region_code)", "outside your region scope"),
        (4, "所属政协代码(committee_code)", "no such committee in your scope"),
    ]
    assert _problems(taken) == [
        (2, "外部编号(external_id)", "already used by a record outside your region scope")
    ]
    assert _problems(liaison) == [
        (2, "委员外部编号(member_external_id)", "no such member in your region scope")
    ]
    assert other_citys_job.status_code == 404
    assert await _count(platform, "member") == 20


def _problems(job: dict[str, Any]) -> list[tuple[int, str, str]]:
    assert job["status"] == "failed", job
    return [(e["row"], e["column"], e["reason"]) for e in job["errors"]]


async def test_liaisons_beyond_the_quota_are_row_errors(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    rows = City(members=1, liaisons_per_member=16).liaison_rows()
    async with _members(platform) as client:
        for kind in KINDS[:2]:
            await _import(client, admin, kind, _sample(kind))
        job = await _import(client, admin, "liaisons", write_csv(ImportKind.LIAISONS, rows))
    assert _problems(job) == [
        (17, "委员外部编号(member_external_id)", "a member links at most 15 liaisons")
    ]


async def test_a_liaison_id_hidden_by_row_level_security_is_still_refused(
    platform: Platform,
) -> None:
    """Harbin cannot see Jixi's liaisons at all, yet cannot reuse their external ids."""
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    harbin = platform.keys.headers(Role.CITY_ADMIN, HARBIN)
    harbin_files = {
        ImportKind.COMMITTEES: [["HB-C-1", "committee", "cppcc-230100", "哈尔滨", HARBIN, ""]],
        ImportKind.MEMBERS: [["HB-M-1", "哈委员", "education", "cppcc-230100", "", HARBIN, "", ""]],
    }
    jixi_liaison = _csv_rows(_sample(ImportKind.LIAISONS))[0][0]
    liaisons = [
        ["HB-L-1", "HB-M-1", "某甲", "13900002221", "", "", "", ""],
        [jixi_liaison, "HB-M-1", "某乙", "13900002222", "", "", "", ""],
    ]
    async with _members(platform) as client:
        for kind in KINDS[:4]:
            await _import(client, jixi, kind, _sample(kind))
        for kind, rows in harbin_files.items():
            assert (await _import(client, harbin, kind, write_csv(kind, rows)))["status"] == "done"
        before = await _counts(platform)
        job = await _import(client, harbin, "liaisons", write_csv(ImportKind.LIAISONS, liaisons))
    assert _problems(job) == [
        (3, "外部编号(external_id)", "already used by a record outside your region scope")
    ]
    assert await _counts(platform) == before, "the good row was rolled back with the bad one"


async def test_a_row_changed_between_check_and_apply_fails_the_whole_file(
    platform: Platform,
) -> None:
    """The optimistic guard: an edit that lands while a file is being applied is never
    overwritten; the file applies nothing and says to upload it again."""
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with _members(platform) as client:
        for kind in KINDS[:2]:
            await _import(client, admin, kind, _sample(kind))
    rows = City().member_rows()
    rows[0][7], rows[1][7] = "新职务一", "新职务二"
    table = read_table(
        write_csv(ImportKind.MEMBERS, rows), ImportKind.MEMBERS, max_rows=100, max_unpacked_bytes=1
    )
    errors: list[RowError] = []
    typed = parse_chunk(table, table.rows, errors, today=datetime.now(UTC).date())
    principal = Principal("registrar", Role.CITY_ADMIN, JIXI)
    pool = await create_pool(platform.database_urls["members"])
    try:
        async with MembersUnitOfWork(pool, scope=JIXI) as uow:
            importer = MemberImporter(_context(platform, uow, principal), table)
            await importer.check(typed, errors)
            await platform.fetchval(
                "members", "UPDATE member SET term = '第十五届' WHERE external_id = 'JX-M-00002'"
            )
            with pytest.raises(DirectoryChanged):
                await importer.apply()
    finally:
        await pool.close()
    assert errors == []
    titles = await platform.fetchval(
        "members", "SELECT array_agg(coalesce(title, '') ORDER BY external_id) FROM member"
    )
    assert "新职务一" not in titles


def _context(platform: Platform, uow: MembersUnitOfWork, principal: Principal) -> ImportContext:
    async def progress(_: int) -> None:
        return None

    return ImportContext(
        uuid4(),
        uow.connection,
        principal,
        datetime.now(UTC),
        PiiCipher.from_file(platform.keys.pii_key_file),
        LiaisonQuota(8, 10, 15),
        progress,
    )
