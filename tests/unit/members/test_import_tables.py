"""Files to tables and rows: encodings, headers in either language, row numbers, XLSX cells."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from services.members.importing.errors import FileRejected, RowError
from services.members.importing.files import read_table, write_csv, write_xlsx
from services.members.importing.kinds import COLUMNS, ImportKind
from services.members.importing.rows import LiaisonRow, MemberRow, parse_chunk
from services.members.importing.synthetic import City
from services.members.importing.templates import (
    TemplateFormat,
    render,
    sample_path,
    template_path,
)

MEMBERS = ImportKind.MEMBERS
TODAY = date(2026, 11, 27)


def _read(content: bytes, kind: ImportKind = MEMBERS, max_rows: int = 100) -> object:
    return read_table(content, kind, max_rows=max_rows, max_unpacked_bytes=10_000_000)


def _rows(content: bytes, kind: ImportKind = MEMBERS) -> tuple[list[object], list[RowError]]:
    table = read_table(content, kind, max_rows=1000, max_unpacked_bytes=10_000_000)
    errors = list(table.problems)
    return parse_chunk(table, table.rows, errors, today=TODAY), errors


def test_utf8_with_and_without_bom_read_the_same() -> None:
    with_bom = write_csv(MEMBERS, City(members=3).member_rows())
    assert with_bom.startswith(b"\xef\xbb\xbf")
    assert _rows(with_bom) == _rows(with_bom[3:])
    rows, errors = _rows(with_bom)
    assert errors == []
    assert [r.external_id for r in rows if isinstance(r, MemberRow)] == [
        "JX-M-00001",
        "JX-M-00002",
        "JX-M-00003",
    ]


def test_headers_may_be_chinese_english_or_both_in_any_order() -> None:
    content = (
        "full_name,外部编号,界别代码(sector_code),所属政协代码,REGION_CODE\n"
        "王建国,JX-1,education,cppcc-230300,230302\n"
    ).encode()
    rows, errors = _rows(content)
    assert errors == []
    [row] = rows
    assert isinstance(row, MemberRow)
    assert (row.external_id, row.profile.full_name, row.profile.region_code) == (
        "JX-1",
        "王建国",
        "230302",
    )


def test_blank_rows_are_skipped_but_keep_their_numbers() -> None:
    content = "外部编号,姓名,界别代码,所属政协代码,行政区划代码\n\n,,,,\nJX-1,,x,cppcc-1,23\n"
    _, errors = _rows(content.encode())
    assert [(e.row, e.column) for e in errors] == [
        (4, "姓名"),
        (4, "界别代码"),
        (4, "行政区划代码"),
    ]


def test_a_value_under_no_header_is_an_error_for_its_row() -> None:
    content = "外部编号,姓名,界别代码,所属政协代码,行政区划代码\nJX-1,王,education,c-1,230302,?\n"
    _, errors = _rows(content.encode())
    assert errors == [RowError(2, "column F", "a value under no header")]


def test_cells_are_trimmed_and_inner_spaces_collapsed() -> None:
    content = (
        "外部编号,姓名,界别代码,所属政协代码,行政区划代码\n JX-1 ,王　 建国 ,education,c-1,230302\n"
    )
    rows, errors = _rows(content.encode())
    assert errors == []
    assert isinstance(rows[0], MemberRow)
    assert rows[0].profile.full_name == "王 建国"


@pytest.mark.parametrize(
    ("content", "status", "detail"),
    [
        (b"", 422, "the first row must hold the column headers; it is empty"),
        ("外部编号\n".encode("gbk"), 422, "neither .xlsx nor UTF-8"),
        (b"PK\x03\x04not a zip", 422, "not a readable .xlsx file"),
        (b'a,"' + b"x" * 200_000 + b'"\n', 422, "not a readable CSV file"),
    ],
)
def test_unreadable_files_are_rejected_whole(content: bytes, status: int, detail: str) -> None:
    with pytest.raises(FileRejected) as rejected:
        _read(content)
    assert rejected.value.status == status
    assert detail in rejected.value.detail


def test_more_rows_than_allowed_is_413() -> None:
    content = write_csv(MEMBERS, City(members=6).member_rows())
    with pytest.raises(FileRejected) as rejected:
        _read(content, max_rows=5)
    assert rejected.value.status == 413


def test_a_workbook_that_unpacks_too_large_is_refused_before_parsing() -> None:
    content = write_xlsx(MEMBERS, City(members=3).member_rows())
    with pytest.raises(FileRejected) as rejected:
        read_table(content, MEMBERS, max_rows=10, max_unpacked_bytes=1000)
    assert rejected.value.status == 413


def test_xlsx_numbers_come_back_as_the_digits_typed() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in COLUMNS[ImportKind.LIAISONS]])
    sheet.append(["L-1", "M-1", "张三", 13900000001, None, None, 230302.0, True])
    out = io.BytesIO()
    workbook.save(out)
    rows, errors = _rows(out.getvalue(), ImportKind.LIAISONS)
    assert errors == []
    assert rows == [LiaisonRow(2, "L-1", "M-1", "张三", "13900000001", None, None, "230302", True)]


def test_committee_rows_need_what_their_type_needs() -> None:
    rows = [
        ["C-1", "committee", "cppcc-1", "一", "", ""],
        ["S-1", "专委会", "cppcc-1-a", "二", "230300", ""],
        ["X-1", "board", "cppcc-2", "三", "230300", ""],
    ]
    _, errors = _rows(write_csv(ImportKind.COMMITTEES, rows), ImportKind.COMMITTEES)
    assert [(e.row, e.column.split("(")[1][:-1], e.reason) for e in errors] == [
        (2, "region_code", "required for a committee"),
        (3, "committee_code", "required for a special committee"),
        (3, "region_code", "a special committee takes its committee's region"),
        (4, "type", "not one of: committee, special_committee"),
    ]


@pytest.mark.parametrize("kind", list(ImportKind))
@pytest.mark.parametrize("fmt", list(TemplateFormat))
def test_committed_templates_and_samples_are_what_the_generator_writes(
    kind: ImportKind, fmt: TemplateFormat
) -> None:
    """After changing a column or the sample city: python -m services.members.importing.templates"""
    content = template_path(kind, fmt).read_bytes()
    if fmt is TemplateFormat.XLSX:
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        header = list(next(sheet.iter_rows(values_only=True)))
    else:
        header = content.decode("utf-8-sig").strip().split(",")
    assert header == [c.header for c in COLUMNS[kind]]
    committed = _read(sample_path(kind, fmt).read_bytes(), kind, max_rows=1000)
    generated = _read(render(kind, fmt, City().rows(kind)), kind, max_rows=1000)
    assert committed == generated


def test_the_sample_city_parses_without_errors() -> None:
    for kind in ImportKind:
        rows, errors = _rows(sample_path(kind).read_bytes(), kind)
        assert errors == [], kind
        expected = {"committees": 3, "liaisons": 200, "workstations": 3, "departments": 2}
        assert len(rows) == expected.get(kind, 20)


def test_a_value_under_a_blank_header_in_the_middle_is_an_error() -> None:
    content = "外部编号,,姓名,界别代码,所属政协代码,行政区划代码\nJX-1,?,王,education,c-1,230302\n"
    _, errors = _rows(content.encode())
    assert errors == [RowError(2, "column B", "a value under no header")]
