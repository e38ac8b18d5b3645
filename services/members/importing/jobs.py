"""An import job: one uploaded file, its progress, its counts and its row errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from services.members.importing.kinds import ImportKind


class ImportStatus(StrEnum):
    """validating → applying → done, or → failed from either (nothing applied then)."""

    VALIDATING = "validating"
    APPLYING = "applying"
    FAILED = "failed"
    DONE = "done"


@dataclass(frozen=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class ImportJob:
    id: UUID
    kind: ImportKind
    file_name: str
    file_sha256: str
    status: ImportStatus
    total_rows: int
    region_scope: str
    created_by: str
    created_at: datetime
    processed_rows: int = 0
    counts: Counts = Counts()
    error_count: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    detail: str | None = None
    finished_at: datetime | None = None
