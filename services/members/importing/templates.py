"""The committed templates and sample files (`import_templates/`), and how they are made.

`python -m services.members.importing.templates` writes them again from `kinds.COLUMNS` and
the sample city in `synthetic`; a unit test keeps the committed files equal to what it writes.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from services.members.importing.files import write_csv, write_xlsx
from services.members.importing.kinds import ImportKind
from services.members.importing.synthetic import City

DIRECTORY = Path(__file__).resolve().parent.parent / "import_templates"
SAMPLE_DIRECTORY = DIRECTORY / "sample_jixi"


class TemplateFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    TemplateFormat.CSV: "text/csv; charset=utf-8",
    TemplateFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def template_path(kind: ImportKind, fmt: TemplateFormat) -> Path:
    return DIRECTORY / f"{kind.value}.{fmt.value}"


def sample_path(kind: ImportKind, fmt: TemplateFormat = TemplateFormat.CSV) -> Path:
    return SAMPLE_DIRECTORY / f"{kind.value}.{fmt.value}"


def render(kind: ImportKind, fmt: TemplateFormat, rows: list[list[str]]) -> bytes:
    return write_csv(kind, rows) if fmt is TemplateFormat.CSV else write_xlsx(kind, rows)


def write_all() -> list[Path]:
    SAMPLE_DIRECTORY.mkdir(parents=True, exist_ok=True)
    written = []
    city = City()
    for kind in ImportKind:
        for fmt in TemplateFormat:
            template_path(kind, fmt).write_bytes(render(kind, fmt, []))
            sample_path(kind, fmt).write_bytes(render(kind, fmt, city.rows(kind)))
            written += [template_path(kind, fmt), sample_path(kind, fmt)]
    return written


if __name__ == "__main__":
    for path in write_all():
        print(path)
