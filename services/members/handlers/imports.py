"""City onboarding use cases: accept a file, validate and apply it in the background, report.

All or nothing, with progress, and how the two fit together:

- `accept_upload` (in the request) reads the whole file and checks its shape (format, size,
  headers, row limit): a file that is not this kind's file gets a 4xx and no job. Otherwise a
  job row (`validating`) is committed and the request answers 202 with the job's id.
- `run_import` (a task of its own, started as the 202 goes out) parses and checks every
  row, then opens ONE transaction (the caller's scope, as `members_app`, so row-level
  security guards the liaisons) holding an advisory lock that lines imports up one at a
  time. Inside it the importer reads what the rows refer to and what they would change, and
  adds row errors. Any error: the transaction rolls back untouched and the job becomes
  `failed` with every error found. None: the rows are COPYed into a temporary staging table
  a chunk at a time (each chunk's events go to the outbox of the same transaction), one
  INSERT and one UPDATE move them into place, and the job's `done` with its counts is
  written in that same transaction: the job reads `done` exactly when the rows and their
  events are committed.
- Progress is written from other, short transactions after every chunk, so GET shows
  `processed_rows` moving: during `validating` the rows checked, during `applying` the rows
  staged (unchanged rows count as processed at once). Nothing of the file is visible to anyone
  before `done`: the progress describes work inside a transaction that may still roll back.
- Updates carry the row's version (md5 of the row as read); a row someone changed meanwhile
  fails the whole file (`failed`, nothing applied, upload again) instead of being overwritten.
- A heartbeat keeps `heartbeat_at` fresh; if the process dies, the open transaction is rolled
  back by Postgres and the next GET reports the job `failed` once the heartbeat is stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.members.domain.access import require_importer
from services.members.domain.members import LiaisonQuota
from services.members.importing.base import CHUNK_ROWS, ImportContext, Importer
from services.members.importing.committees import CommitteeImporter
from services.members.importing.departments import DepartmentImporter
from services.members.importing.errors import (
    DirectoryChanged,
    FileRejected,
    RowError,
    RowsRejected,
)
from services.members.importing.files import Table, read_table
from services.members.importing.jobs import Counts, ImportJob, ImportStatus
from services.members.importing.kinds import ImportKind
from services.members.importing.liaisons import LiaisonImporter
from services.members.importing.members import MemberImporter
from services.members.importing.rows import parse_chunk
from services.members.importing.units import UnitImporter
from services.members.importing.workstations import WorkstationImporter
from services.members.pii import PiiCipher
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.kernel import Clock, new_id
from shared.logging import get_logger

MAX_ROWS = 500_000
MAX_UNPACKED_BYTES = 512 * 1024 * 1024  # an .xlsx may unpack to this much, no more
HEARTBEAT_SECONDS = 5.0
CHANGED = "some rows changed while the file was being imported; nothing was applied: retry"
FAILED = "the import failed on our side; nothing was applied"
IMPORTERS: dict[ImportKind, Callable[[ImportContext, Table], Importer]] = {
    ImportKind.COMMITTEES: CommitteeImporter,
    ImportKind.MEMBERS: MemberImporter,
    ImportKind.UNITS: UnitImporter,
    ImportKind.LIAISONS: LiaisonImporter,
    ImportKind.WORKSTATIONS: WorkstationImporter,
    ImportKind.DEPARTMENTS: DepartmentImporter,
}
log = get_logger(__name__)


@dataclass(frozen=True)
class ImportServices:
    """What the import use cases are given (built from the service's Deps)."""

    uow: Callable[[Principal | None], MembersUnitOfWork]
    clock: Clock
    cipher: PiiCipher
    quota: LiaisonQuota
    max_bytes: int
    max_rows: int = MAX_ROWS


@dataclass(frozen=True)
class UploadImport:
    kind: ImportKind
    file_name: str
    content: bytes


@dataclass(frozen=True)
class RunImport:
    """The accepted job and its file's rows, checked for shape."""

    job: ImportJob
    table: Table


async def accept_upload(
    cmd: UploadImport, *, principal: Principal, s: ImportServices
) -> tuple[ImportJob, Table]:
    """Raises FileRejected when the file as a whole is not this kind's file."""
    require_importer(principal)
    kind, content = cmd.kind, cmd.content
    if len(content) > s.max_bytes:
        raise FileRejected(413, f"an import file holds at most {s.max_bytes} bytes")
    table = await asyncio.to_thread(
        read_table, content, kind, max_rows=s.max_rows, max_unpacked_bytes=MAX_UNPACKED_BYTES
    )
    job = ImportJob(
        id=new_id(),
        kind=kind,
        file_name=cmd.file_name,
        file_sha256=hashlib.sha256(content).hexdigest(),
        status=ImportStatus.VALIDATING,
        total_rows=len(table.rows),
        region_scope=principal.region_code,
        created_by=principal.subject,
        created_at=s.clock.now(),
    )
    async with s.uow(None) as uow:
        await uow.imports.add(job)
        await uow.commit()
    return job, table


async def run_import(cmd: RunImport, *, principal: Principal, s: ImportServices) -> None:
    """The background half: never raises (the outcome is written on the job)."""
    job, table = cmd.job, cmd.table
    async with _heartbeat(job.id, s):
        try:
            await _validate_and_apply(job, table, principal, s)
        except RowsRejected as rejected:
            await _finish(s, job.id, ImportStatus.FAILED, errors=rejected.errors)
        except DirectoryChanged:
            await _finish(s, job.id, ImportStatus.FAILED, detail=CHANGED)
        except Exception:
            log.exception("import failed", job_id=str(job.id), kind=job.kind.value)
            await _finish(s, job.id, ImportStatus.FAILED, detail=FAILED)


async def _validate_and_apply(
    job: ImportJob, table: Table, principal: Principal, s: ImportServices
) -> None:
    now = s.clock.now()
    errors: list[RowError] = list(table.problems)
    rows: list[Any] = []
    for start in range(0, len(table.rows), CHUNK_ROWS):
        part = table.rows[start : start + CHUNK_ROWS]
        rows += parse_chunk(table, part, errors, today=now.date())
        await _progress(s, job.id, ImportStatus.VALIDATING, start + len(part))
    table.rows.clear()  # the typed rows hold what is needed; a big file's cells can go
    async with s.uow(principal) as uow:
        await uow.imports.lock_imports()
        importer = IMPORTERS[job.kind](_context(job, uow, principal, now, s), table)
        await importer.check(rows, errors)
        if errors:
            raise RowsRejected(errors)
        await _progress(s, job.id, ImportStatus.APPLYING, 0)
        counts = await importer.apply()
        await uow.imports.finish(job.id, ImportStatus.DONE, counts=counts)
        await uow.commit()
    log.info("import done", job_id=str(job.id), kind=job.kind.value, **counts.__dict__)


def _context(
    job: ImportJob, uow: MembersUnitOfWork, principal: Principal, now: datetime, s: ImportServices
) -> ImportContext:
    async def progress(processed: int) -> None:
        await _progress(s, job.id, ImportStatus.APPLYING, processed)

    return ImportContext(job.id, uow.connection, principal, now, s.cipher, s.quota, progress)


async def _progress(s: ImportServices, job_id: UUID, status: ImportStatus, rows: int) -> None:
    async with s.uow(None) as uow:
        await uow.imports.progress(job_id, status, rows)
        await uow.commit()


async def _finish(
    s: ImportServices,
    job_id: UUID,
    status: ImportStatus,
    *,
    errors: list[RowError] | None = None,
    detail: str | None = None,
) -> None:
    try:
        async with s.uow(None) as uow:
            await uow.imports.finish(
                job_id, status, counts=Counts(), errors=errors or [], detail=detail
            )
            await uow.commit()
    except Exception:  # the database is gone: the stale heartbeat will tell the story
        log.exception("could not record the import's outcome", job_id=str(job_id))


@contextlib.asynccontextmanager
async def _heartbeat(job_id: UUID, s: ImportServices) -> AsyncIterator[None]:
    async def beat() -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            with contextlib.suppress(Exception):  # a missed beat is only a missed beat
                async with s.uow(None) as uow:
                    await uow.imports.heartbeat(job_id)
                    await uow.commit()

    task = asyncio.create_task(beat(), name=f"import-heartbeat-{job_id}")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
