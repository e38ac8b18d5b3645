"""Reads of city imports: one job (failing it first if its process died), recent jobs, templates."""

from __future__ import annotations

from uuid import UUID

from services.members.domain.access import require_importer
from services.members.importing.jobs import ImportJob
from services.members.importing.kinds import ImportKind
from services.members.importing.templates import TemplateFormat, template_path
from services.members.repository.imports import COLUMNS, RUNNING, from_row
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.errors import NotFound
from shared.regions import scope_prefix

STALE_AFTER_SECONDS = 60.0
INTERRUPTED = "the import stopped (its process ended); nothing was applied: upload the file again"


async def get_import(job_id: UUID, *, principal: Principal, uow: MembersUnitOfWork) -> ImportJob:
    """A running job whose heartbeat stopped is failed first: its process died, and with it
    the one transaction that would have applied the file."""
    require_importer(principal)
    async with uow:
        await uow.connection.execute(
            f"""UPDATE import_job SET status = 'failed', detail = $2, finished_at = now()
                WHERE id = $1 AND {RUNNING}
                  AND heartbeat_at < now() - make_interval(secs => $3)""",
            job_id,
            INTERRUPTED,
            STALE_AFTER_SECONDS,
        )
        row = await uow.connection.fetchrow(
            f"SELECT {COLUMNS} FROM import_job WHERE id = $1", job_id
        )
        await uow.commit()
    job = from_row(row) if row else None
    if job is None or not principal.can_see_region(job.region_scope):
        raise NotFound("import not found")
    return job


async def list_imports(
    *, principal: Principal, uow: MembersUnitOfWork, limit: int
) -> list[ImportJob]:
    require_importer(principal)
    async with uow:
        rows = await uow.connection.fetch(
            f"""SELECT {COLUMNS} FROM import_job WHERE region_scope LIKE $1 || '%'
                ORDER BY created_at DESC, id DESC LIMIT $2""",
            scope_prefix(principal.region_code),
            limit,
        )
    return [from_row(r) for r in rows]


def template(kind: ImportKind, fmt: TemplateFormat, *, principal: Principal) -> bytes:
    require_importer(principal)
    return template_path(kind, fmt).read_bytes()
