"""A KPI table as a file: CSV and Excel with Chinese headings, Parquet with typed columns.

A table is the summary's rows flattened: the group key, its name, every count, then each rate
as numerator, denominator and value, then the average days to reply. CSV and Excel are for
people (Chinese headings, a BOM so Excel reads the CSV as UTF-8); Parquet is for bulk loading
(snake_case column names, int64 counts, nullable float64 rates).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

from services.reporting.views.labels import COUNTS, GROUP_KEYS, RATES

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    name: str  # Parquet's column name
    title: str  # the heading people read
    kind: str  # "text", "count", "rate" (a fraction) or "number"


@dataclass(frozen=True)
class KpiTable:
    columns: list[Column]
    rows: list[list[Cell]]
    filters: list[tuple[str, str]]  # what the table covers, for the workbook's second sheet


def columns(group_by: str | None, counts: Sequence[str], rates: Sequence[str]) -> list[Column]:
    """The key and its name, the counts given, each rate's three columns, the average days."""
    out = [Column("key", GROUP_KEYS.get(group_by, "分组"), "text"), Column("label", "名称", "text")]
    out += [Column(name, COUNTS.get(name, name), "count") for name in counts]
    for name in rates:
        title = RATES.get(name, name)
        out += [
            Column(f"{name}_numerator", f"{title}（分子）", "count"),
            Column(f"{name}_denominator", f"{title}（分母）", "count"),
            Column(name, title, "rate"),
        ]
    out.append(Column("average_days_to_reply", "平均办复天数", "number"))
    return out


def table_row(row: Mapping[str, Any], counts: Sequence[str], rates: Sequence[str]) -> list[Cell]:
    """One summary row (KpiRow as a dict) in the order of `columns`; a missing count is 0."""
    cells: list[Cell] = [row["key"], row.get("label")]
    cells += [int(row["counts"].get(name, 0)) for name in counts]
    for name in rates:
        rate = row["rates"][name]
        cells += [rate["numerator"], rate["denominator"], rate["value"]]
    cells.append(row.get("average_days_to_reply"))
    return cells


def to_csv(table: KpiTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.title for c in table.columns])
    writer.writerows(["" if v is None else v for v in row] for row in table.rows)
    # The BOM is what makes Excel open a UTF-8 CSV with its Chinese intact.
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(table: KpiTable) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计表"
    sheet.append([c.title for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(row)
    _formats(sheet, table.columns, len(table.rows))
    sheet.freeze_panes = "C2"
    about = book.create_sheet("筛选条件")
    for name, value in table.filters:
        about.append([name, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _formats(sheet: Any, cols: Sequence[Column], n_rows: int) -> None:
    for index, column in enumerate(cols, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(40, 2 * len(column.title) + 2))
        if column.kind != "rate":
            continue
        for (cell,) in sheet.iter_rows(min_row=2, max_row=n_rows + 1, min_col=index, max_col=index):
            cell.number_format = "0.0%"


def to_parquet(table: KpiTable) -> bytes:
    # Imported on first use: pyarrow adds tens of MB to a process that may never export Parquet.
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"text": pa.string(), "count": pa.int64(), "rate": pa.float64(), "number": pa.float64()}
    schema = pa.schema(
        [pa.field(c.name, types[c.kind]) for c in table.columns],
        metadata={
            "titles": json.dumps({c.name: c.title for c in table.columns}, ensure_ascii=False),
            "filters": json.dumps(dict(table.filters), ensure_ascii=False),
        },
    )
    data = {c.name: [row[i] for row in table.rows] for i, c in enumerate(table.columns)}
    out = io.BytesIO()
    pq.write_table(pa.Table.from_pydict(data, schema=schema), out, compression="zstd")
    return out.getvalue()


# format -> (writer, media type, file extension)
WRITERS = {
    "csv": (to_csv, "text/csv; charset=utf-8", "csv"),
    "xlsx": (
        to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "parquet": (to_parquet, "application/vnd.apache.parquet", "parquet"),
}
