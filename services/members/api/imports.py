"""Members HTTP endpoints: city onboarding imports (批量导入) and their templates."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from services.members.api.deps import Deps, get_deps
from services.members.domain.access import require_importer
from services.members.handlers import imports as handlers
from services.members.importing.errors import MAX_STORED_ERRORS, FileRejected
from services.members.importing.jobs import ImportJob
from services.members.importing.kinds import ImportKind
from services.members.importing.templates import MEDIA_TYPES, TemplateFormat
from services.members.importing.upload import uploaded_file
from services.members.views import imports as views
from shared.web.problems import Problem
from shared.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1", tags=["imports"])
DepsDep = Annotated[Deps, Depends(get_deps)]
# Imports run as tasks of their own, not as the request's BackgroundTasks: the request (and
# with it the uploaded body, buffered twice by the size limit) ends at the 202, so a big file
# is held in memory once, as parsed rows. A set keeps the tasks from being garbage-collected.
_RUNNING: set[asyncio.Task[None]] = set()
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV (UTF-8, BOM optional) or .xlsx (first sheet)",
                        }
                    },
                }
            }
        },
    }
}


class RowErrorOut(BaseModel):
    row: int = Field(description="as in the spreadsheet: the header is row 1")
    column: str = Field(description="the header as written in the file")
    reason: str


class ImportJobOut(BaseModel):
    id: UUID
    kind: ImportKind
    file_name: str
    file_sha256: str
    status: str = Field(description="validating → applying → done, or failed (nothing applied)")
    total_rows: int
    processed_rows: int = Field(description="rows checked (validating) or staged (applying)")
    created: int
    updated: int
    unchanged: int
    error_count: int = Field(description="all row errors found")
    errors: list[RowErrorOut] = Field(description="a page of them (the first 1000 are kept)")
    errors_truncated: bool = Field(description="more errors exist than this page shows")
    detail: str | None = Field(description="why a job failed when no row is to blame")
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: ImportJob, *, offset: int = 0, limit: int = 100) -> ImportJobOut:
        page = job.errors[offset : offset + limit]
        return cls(
            id=job.id,
            kind=job.kind,
            file_name=job.file_name,
            file_sha256=job.file_sha256,
            status=job.status.value,
            total_rows=job.total_rows,
            processed_rows=job.processed_rows,
            created=job.counts.created,
            updated=job.counts.updated,
            unchanged=job.counts.unchanged,
            error_count=job.error_count,
            errors=[RowErrorOut(**e) for e in page],
            errors_truncated=offset + len(page) < job.error_count,
            detail=job.detail,
            created_at=job.created_at,
            finished_at=job.finished_at,
        )


def _services(deps: Deps) -> handlers.ImportServices:
    return handlers.ImportServices(
        uow=deps.uow,
        clock=deps.clock,
        cipher=deps.cipher,
        quota=deps.quota,
        max_bytes=deps.settings.import_max_bytes,
    )


@router.post(
    "/imports/{kind}",
    status_code=202,
    summary="Upload a file to import (all rows or none); poll the job for progress and errors",
    description=(
        "Answers 202 with the job at once; the rows are checked and applied in the background "
        "(GET the Location). The service's request size limit (MEMBERS_MAX_BODY_BYTES) applies "
        "before this one (MEMBERS_IMPORT_MAX_BYTES): set it at least as high."
    ),
    openapi_extra=_UPLOAD_BODY,
    responses={413: {"description": "file too large or too many rows"}, 415: {}, 422: {}},
)
async def upload(
    kind: ImportKind,
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    deps: DepsDep,
) -> ImportJobOut:
    require_importer(principal)
    s = _services(deps)
    try:
        file_name, content = uploaded_file(
            request.headers.get("content-type", ""), await request.body()
        )
        job, table = await handlers.accept_upload(
            handlers.UploadImport(kind, file_name, content), principal=principal, s=s
        )
    except FileRejected as rejected:
        raise _problem(rejected) from None
    task = asyncio.create_task(
        handlers.run_import(handlers.RunImport(job, table), principal=principal, s=s),
        name=f"import-{job.id}",
    )
    _RUNNING.add(task)
    task.add_done_callback(_RUNNING.discard)
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return ImportJobOut.of(job)


@router.get("/imports/{job_id}", summary="An import's status, progress, counts and row errors")
async def get_import(
    job_id: UUID,
    principal: CurrentPrincipal,
    deps: DepsDep,
    errors_offset: Annotated[int, Query(ge=0, le=MAX_STORED_ERRORS)] = 0,
    errors_limit: Annotated[int, Query(ge=1, le=MAX_STORED_ERRORS)] = 100,
) -> ImportJobOut:
    job = await views.get_import(job_id, principal=principal, uow=deps.uow(principal))
    return ImportJobOut.of(job, offset=errors_offset, limit=errors_limit)


@router.get("/imports", summary="Recent imports in your scope, newest first")
async def list_imports(
    principal: CurrentPrincipal,
    deps: DepsDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ImportJobOut]:
    jobs = await views.list_imports(principal=principal, uow=deps.uow(principal), limit=limit)
    return [ImportJobOut.of(j, limit=10) for j in jobs]


@router.get(
    "/import-templates/{kind}.{fmt}",
    summary="An empty file to fill in: Chinese and English headers (xlsx: with notes)",
    response_class=Response,
)
async def template(kind: ImportKind, fmt: TemplateFormat, principal: CurrentPrincipal) -> Response:
    content = views.template(kind, fmt, principal=principal)
    disposition = f'attachment; filename="{kind.value}-template.{fmt.value}"'
    return Response(
        content, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition}
    )


def _problem(rejected: FileRejected) -> Problem:
    extra: dict[str, Any] = {}
    if rejected.errors:
        extra["errors"] = [e.as_json() for e in rejected.errors]
    titles = {413: "Content Too Large", 415: "Unsupported Media Type"}
    title = titles.get(rejected.status, "Unprocessable Content")
    return Problem(rejected.status, title, rejected.detail, kind="import-file", **extra)
