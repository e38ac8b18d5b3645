"""KPI exports (CSV, Excel, Parquet) carry exactly the summary's numbers, within the same scope."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pyarrow.parquet as pq
from openpyxl import load_workbook  # type: ignore[import-untyped]

from services.reporting.views.labels import COUNTS, RATES, ordered
from shared.auth import Role
from tests.integration.reporting import scenario
from tests.integration.reporting.history import publish_many
from tests.integration.reporting.support import YEAR_2026, caught_up, reporting, summary
from tests.support.platform import Platform

JIXI, HARBIN = "230300", "230100"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _export(
    r: httpx.AsyncClient, headers: dict[str, str], fmt: str, **params: str
) -> httpx.Response:
    response = await r.get(
        "/v1/kpi/summary/export", headers=headers, params={"format": fmt, **params}
    )
    assert response.status_code == 200, response.text
    return response


def _count_names(rows: list[dict[str, Any]]) -> list[str]:
    """The counts a table has: every labelled one, and any other a row carries."""
    return ordered(COUNTS, {name for row in rows for name in row["counts"]})


def _expected(row: dict[str, Any], counts: list[str]) -> dict[str, Any]:
    """The summary row by Chinese heading (the CSV and Excel columns)."""
    out: dict[str, Any] = {"名称": row["label"]}
    out |= {COUNTS.get(name, name): row["counts"].get(name, 0) for name in counts}
    for name, rate in row["rates"].items():
        title = RATES.get(name, name)
        out |= {
            f"{title}（分子）": rate["numerator"],
            f"{title}（分母）": rate["denominator"],
            title: rate["value"],
        }
    out["平均办复天数"] = row["average_days_to_reply"]
    return out


def _number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def _csv_rows(body: bytes) -> dict[str, dict[str, Any]]:
    assert body.startswith(b"\xef\xbb\xbf"), "a UTF-8 BOM, so Excel reads the Chinese"
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    header, data = rows[0], rows[1:]
    out = {}
    for cells in data:
        record = dict(zip(header, cells, strict=True))
        key = cells[0]
        out[key] = {
            k: (v or None) if k == "名称" else _number(v) for k, v in list(record.items())[1:]
        }
    return out


def _xlsx_rows(body: bytes) -> dict[str, dict[str, Any]]:
    sheet = load_workbook(io.BytesIO(body), read_only=True)["统计表"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    return {r[0]: dict(zip(header[1:], r[1:], strict=True)) for r in rows[1:]}


def _parquet_rows(body: bytes) -> dict[str, dict[str, Any]]:
    return {r["key"]: r for r in pq.read_table(io.BytesIO(body)).to_pylist()}


def _parquet_expected(row: dict[str, Any], counts: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"key": row["key"], "label": row["label"]}
    out |= {name: row["counts"].get(name, 0) for name in counts}
    for name, rate in row["rates"].items():
        out |= {
            f"{name}_numerator": rate["numerator"],
            f"{name}_denominator": rate["denominator"],
            name: rate["value"],
        }
    out["average_days_to_reply"] = row["average_days_to_reply"]
    return out


async def test_each_format_carries_the_summarys_numbers(platform: Platform) -> None:
    s = scenario.build()
    await publish_many(platform, s.events)
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with reporting(platform) as r:
        await caught_up(platform, len(s.events))
        for group_by in ("", "county", "member", "sector", "month"):
            params = {**YEAR_2026, **({"group_by": group_by} if group_by else {})}
            shown = await summary(r, admin, limit="500", **params)
            csv_file = await _export(r, admin, "csv", **params)
            xlsx_file = await _export(r, admin, "xlsx", **params)
            parquet_file = await _export(r, admin, "parquet", **params)
            assert csv_file.headers["content-type"] == "text/csv; charset=utf-8"
            assert xlsx_file.headers["content-type"] == XLSX
            assert parquet_file.headers["content-type"] == "application/vnd.apache.parquet"
            disposition = parquet_file.headers["content-disposition"]
            assert disposition.startswith("attachment; filename=")
            assert disposition.endswith('.parquet"')

            rows = {row["key"]: row for row in shown["rows"]}
            assert len(rows) >= 1
            csv_rows, xlsx_rows = _csv_rows(csv_file.content), _xlsx_rows(xlsx_file.content)
            parquet_rows = _parquet_rows(parquet_file.content)
            assert set(csv_rows) == set(xlsx_rows) == set(parquet_rows) == set(rows)
            counts = _count_names(shown["rows"])
            for key, row in rows.items():
                expected = _expected(row, counts)
                if row["label"] is None:  # the export names regions and sectors it knows
                    expected.pop("名称")
                    csv_rows[key].pop("名称")
                    xlsx_rows[key].pop("名称")
                    parquet_rows[key]["label"] = None
                assert csv_rows[key] == expected, (group_by, key)
                assert xlsx_rows[key] == expected, (group_by, key)
                assert parquet_rows[key] == _parquet_expected(row, counts), (group_by, key)

        # The hand-computed figures, read from the files as a person would.
        total = _csv_rows((await _export(r, admin, "csv", **YEAR_2026)).content)["all"]
        assert total["联系人覆盖率（分子）"] == 3
        assert total["联系人覆盖率（分母）"] == 4
        assert total["联系人覆盖率"] == 0.75
        assert total["办复率"] == 0.6667
        by_county = _xlsx_rows(
            (await _export(r, admin, "xlsx", group_by="county", **YEAR_2026)).content
        )
        assert by_county["230382"]["名称"] == "密山市"
        assert by_county["230382"]["必访履约率（分子）"] == 1
        assert by_county["230382"]["必访履约率（分母）"] == 3


async def test_exports_keep_the_summarys_scope_and_no_personal_data(platform: Platform) -> None:
    s = scenario.build()
    await publish_many(platform, s.events)
    keys = platform.keys
    jixi_admin = keys.headers(Role.CITY_ADMIN, JIXI)
    mishan_admin = keys.headers(Role.COUNTY_ADMIN, s.a.region_code)
    as_a = keys.headers(Role.MEMBER, s.a.region_code, member_id=s.a.member_id)
    async with reporting(platform) as r:
        await caught_up(platform, len(s.events))
        # A city admin cannot export another city: not found, like the summary.
        other = await r.get(
            "/v1/kpi/summary/export",
            headers=jixi_admin,
            params={"format": "csv", "region_code": HARBIN},
        )
        assert other.status_code == 404
        assert other.headers["content-type"] == "application/problem+json"
        # Without a region, a county's export holds its county only.
        county = _parquet_rows(
            (await _export(r, mishan_admin, "parquet", group_by="county", **YEAR_2026)).content
        )
        assert set(county) == {s.a.region_code}
        # A member's export, whatever grouping, is their own numbers.
        own = _csv_rows((await _export(r, as_a, "csv", group_by="member", **YEAR_2026)).content)
        assert set(own) == {str(s.a.member_id)}
        assert own[str(s.a.member_id)]["联系次数"] == 2
        # Roles that may not read KPIs may not export them.
        feed_only = keys.headers(Role.DATA_PLATFORM, "230000")
        denied = await r.get("/v1/kpi/summary/export", headers=feed_only, params={"format": "csv"})
        assert denied.status_code == 403
        # Members are named (as in the summary); liaisons never appear, not even masked.
        files = [
            (await _export(r, jixi_admin, fmt, group_by="member", **YEAR_2026)).content
            for fmt in ("csv", "xlsx", "parquet")
        ]
        text = files[0].decode("utf-8-sig")
        assert s.a.full_name in text
        parquet_text = str(pq.read_table(io.BytesIO(files[2])).to_pylist())
        xlsx = load_workbook(io.BytesIO(files[1]), read_only=True)
        xlsx_text = str([list(ws.iter_rows(values_only=True)) for ws in xlsx.worksheets])
        for name in s.liaison_names:
            assert name not in text
            assert name not in parquet_text
            assert name not in xlsx_text


async def test_an_unknown_format_is_a_422_problem(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with reporting(platform) as r:
        for bad in ({"format": "pdf"}, {}):
            response = await r.get("/v1/kpi/summary/export", headers=admin, params=bad)
            assert response.status_code == 422
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["errors"][0]["loc"] == ["query", "format"]
