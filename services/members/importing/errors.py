"""What is wrong with a file, row by row; reasons never repeat the values (they may be personal)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_STORED_ERRORS = 1000  # more are counted, not kept: the first thousand show the pattern


@dataclass(frozen=True, order=True, slots=True)
class RowError:
    row: int  # as the user sees it: the header is row 1, the first data row is row 2
    column: str  # the header as written in the file
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "reason": self.reason}


class FileRejected(Exception):
    """The whole file cannot be read as this kind (format, size, headers): no job is created."""

    def __init__(self, status: int, detail: str, errors: list[RowError] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors or []


class RowsRejected(Exception):
    """Some rows are wrong: the file applies nothing and the job reports every error found."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} row errors")
        self.errors = sorted(errors)


class DirectoryChanged(Exception):
    """A row changed under the import (another writer): nothing applied, upload again."""
