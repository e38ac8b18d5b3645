"""Members SQL: import jobs (city onboarding), their progress, outcome and heartbeat."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from services.members.importing.errors import MAX_STORED_ERRORS, RowError
from services.members.importing.jobs import Counts, ImportJob, ImportStatus
from services.members.importing.kinds import ImportKind

COLUMNS = """id, kind, file_name, file_sha256, status, total_rows, region_scope, created_by,
    created_at, processed_rows, created_rows, updated_rows, unchanged_rows, error_count, errors,
    detail, finished_at"""
RUNNING = "status IN ('validating', 'applying')"
# One key for every import in this database: imports apply one at a time, so each sees what
# the one before it committed (a second upload of the same file finds everything unchanged).
_IMPORT_LOCK = 7_240_101


class ImportJobRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, job: ImportJob) -> None:
        await self._conn.execute(
            """INSERT INTO import_job (id, kind, file_name, file_sha256, status, total_rows,
                   region_scope, created_by, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            job.id,
            job.kind.value,
            job.file_name,
            job.file_sha256,
            job.status.value,
            job.total_rows,
            job.region_scope,
            job.created_by,
            job.created_at,
        )

    async def progress(self, job_id: UUID, status: ImportStatus, processed_rows: int) -> None:
        await self._conn.execute(
            f"""UPDATE import_job SET status = $2, processed_rows = $3, heartbeat_at = now()
                WHERE id = $1 AND {RUNNING}""",
            job_id,
            status.value,
            processed_rows,
        )

    async def heartbeat(self, job_id: UUID) -> None:
        await self._conn.execute(
            f"UPDATE import_job SET heartbeat_at = now() WHERE id = $1 AND {RUNNING}",
            job_id,
        )

    async def lock_imports(self) -> None:
        """Held until the caller's transaction ends."""
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", _IMPORT_LOCK)

    async def finish(
        self,
        job_id: UUID,
        status: ImportStatus,
        *,
        counts: Counts | None = None,
        errors: Sequence[RowError] = (),
        detail: str | None = None,
    ) -> None:
        counts = counts or Counts()
        await self._conn.execute(
            """UPDATE import_job SET status = $2, created_rows = $3, updated_rows = $4,
                   unchanged_rows = $5, error_count = $6, errors = $7, detail = $8,
                   processed_rows = CASE WHEN $2 = 'done' THEN total_rows ELSE processed_rows END,
                   finished_at = now(), heartbeat_at = now()
               WHERE id = $1""",
            job_id,
            status.value,
            counts.created,
            counts.updated,
            counts.unchanged,
            len(errors),
            [e.as_json() for e in errors[:MAX_STORED_ERRORS]],
            detail,
        )


def from_row(row: asyncpg.Record) -> ImportJob:
    return ImportJob(
        id=row["id"],
        kind=ImportKind(row["kind"]),
        file_name=row["file_name"],
        file_sha256=row["file_sha256"],
        status=ImportStatus(row["status"]),
        total_rows=row["total_rows"],
        region_scope=row["region_scope"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        processed_rows=row["processed_rows"],
        counts=Counts(row["created_rows"], row["updated_rows"], row["unchanged_rows"]),
        error_count=row["error_count"],
        errors=row["errors"],
        detail=row["detail"],
        finished_at=row["finished_at"],
    )
