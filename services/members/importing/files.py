"""Uploaded files to tables and back: CSV (UTF-8, with or without BOM) and XLSX (first sheet).

Row numbers are the ones a user sees in Excel: the header is row 1, blank rows keep their
numbers (they are skipped, not renumbered).
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from services.members.importing.errors import MAX_STORED_ERRORS, FileRejected, RowError
from services.members.importing.kinds import COLUMNS, Column, ImportKind

XLSX_MAGIC = b"PK\x03\x04"
_KEY_IN_PARENS = re.compile(r"[(（]\s*([A-Za-z_]+)\s*[)）]\s*$")
_NOT_TEXT = "the file is neither .xlsx nor UTF-8 text: save it as 'CSV UTF-8 (逗号分隔)' or .xlsx"


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    cells: tuple[str, ...]  # aligned with Table.keys; "" where empty


@dataclass(frozen=True)
class Table:
    kind: ImportKind
    keys: tuple[str, ...]  # the columns present, in file order
    headers: dict[str, str]  # key -> header as written (what errors name)
    rows: list[SheetRow]
    problems: list[RowError]  # cells outside every known column

    def header(self, key: str) -> str:
        return self.headers.get(key) or next(c.header for c in COLUMNS[self.kind] if c.key == key)


def read_table(
    content: bytes, kind: ImportKind, *, max_rows: int, max_unpacked_bytes: int
) -> Table:
    """Raises FileRejected (413/422) when the file as a whole cannot be this kind's file."""
    if content.startswith(XLSX_MAGIC):
        records = _xlsx_records(content, max_unpacked_bytes)
    else:
        records = _csv_records(content)
    try:
        return _table(records, kind, max_rows)
    except csv.Error:
        raise FileRejected(422, "not a readable CSV file (check quotes and NUL bytes)") from None


def _table(records: Iterator[list[str]], kind: ImportKind, max_rows: int) -> Table:
    header = next(records, None)
    if header is None or not any(header):
        raise FileRejected(422, "the first row must hold the column headers; it is empty")
    positions, headers = _header(header, kind)
    known = set(positions)
    rows: list[SheetRow] = []
    problems: list[RowError] = []
    for number, cells in enumerate(records, start=2):
        if not any(cells):
            continue
        if len(rows) == max_rows:
            raise FileRejected(413, f"a file holds at most {max_rows} data rows")
        width = len(cells)
        rows.append(SheetRow(number, tuple(cells[i] if i < width else "" for i in positions)))
        if len(problems) < MAX_STORED_ERRORS:
            problems.extend(
                RowError(number, f"column {get_column_letter(i + 1)}", "a value under no header")
                for i, cell in enumerate(cells)
                if cell and i not in known
            )
    if not rows:
        raise FileRejected(422, "the file has a header row but no data rows")
    return Table(kind, tuple(headers), headers, rows, problems)


def _header(cells: Sequence[str], kind: ImportKind) -> tuple[list[int], dict[str, str]]:
    columns = COLUMNS[kind]
    positions: list[int] = []
    headers: dict[str, str] = {}
    errors: list[RowError] = []
    for index, text in enumerate(cells):
        if not text:
            continue
        key = header_key(text, columns)
        if key is None:
            errors.append(RowError(1, text, f"not a column of the {kind.value} file"))
        elif key in headers:
            errors.append(RowError(1, text, "this column appears twice"))
        else:
            headers[key] = text
            positions.append(index)
    errors.extend(
        RowError(1, c.header, "required column is missing")
        for c in columns
        if c.required and c.key not in headers
    )
    if errors:
        detail = f"the header row does not match the {kind.value} template"
        raise FileRejected(422, detail, errors[:MAX_STORED_ERRORS])
    return positions, headers


def header_key(text: str, columns: Sequence[Column]) -> str | None:
    """`姓名(full_name)`, `full_name` and `姓名` all name the column full_name."""
    by_key = {c.key: c.key for c in columns}
    by_label = {c.label: c.key for c in columns}
    found = _KEY_IN_PARENS.search(text)
    if found:
        return by_key.get(found.group(1).lower()) or by_label.get(text[: found.start()].strip())
    return by_key.get(text.lower()) or by_label.get(text)


def _csv_records(content: bytes) -> Iterator[list[str]]:
    """Decoded line by line: a big file is never held as one decoded string as well."""
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    try:
        for record in csv.reader(text):
            yield [cell.strip() for cell in record]
    except UnicodeDecodeError:
        raise FileRejected(422, _NOT_TEXT) from None


def _xlsx_records(content: bytes, max_unpacked_bytes: int) -> Iterator[list[str]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRejected(422, "not a readable .xlsx file") from None
    if unpacked > max_unpacked_bytes:  # a zip bomb, or a workbook far larger than any roster
        raise FileRejected(413, f"the workbook unpacks to more than {max_unpacked_bytes} bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it does not know
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged workbook; all mean "unreadable"
        raise FileRejected(422, "not a readable .xlsx file") from None
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(422, "the first sheet of the .xlsx file cannot be read") from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """Numbers typed into Excel come back as int or float; phones and codes are text to us."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).strip()


def write_csv(kind: ImportKind, rows: Sequence[Sequence[str]]) -> bytes:
    """With a BOM, so Excel opens the Chinese text correctly on double-click."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS[kind]])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(kind: ImportKind, rows: Sequence[Sequence[str]]) -> bytes:
    """The data sheet (every cell text, so ID numbers keep their digits) and a notes sheet."""
    columns = COLUMNS[kind]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = kind.value
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(col.header) * 2)
        sheet.column_dimensions[letter].number_format = "@"
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明 notes")
    notes.append(["列 column", "必填 required", "说明 notes", "示例 example"])
    for col in columns:
        notes.append([col.header, "是 yes" if col.required else "否 no", col.notes, col.example])
    notes.column_dimensions["A"].width = 36
    notes.column_dimensions["C"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
