"""Accepting an import file and the background run's outcome when it fails on our side."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from services.members.domain.members import LiaisonQuota
from services.members.handlers import imports as handlers
from services.members.handlers.imports import (
    FAILED,
    ImportServices,
    RunImport,
    UploadImport,
    accept_upload,
    run_import,
)
from services.members.importing.errors import FileRejected
from services.members.importing.jobs import ImportStatus
from services.members.importing.kinds import ImportKind
from services.members.importing.templates import TemplateFormat, template_path
from services.members.pii import PiiCipher
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.kernel import FixedClock
from tests.unit.members.conftest import as_
from tests.unit.members.fakes import FakeMembersUnitOfWork

ADMIN = as_(Role.CITY_ADMIN)
# A city's real-looking members file, shipped as the onboarding sample.
SAMPLE = (
    template_path(ImportKind.MEMBERS, TemplateFormat.CSV).parent / "sample_jixi" / "members.csv"
).read_bytes()


@pytest.fixture
def services(uow: MembersUnitOfWork, clock: FixedClock) -> ImportServices:
    same: Callable[[Principal | None], MembersUnitOfWork] = lambda _principal: uow  # noqa: E731
    return ImportServices(
        same, clock, PiiCipher(os.urandom(32)), LiaisonQuota(8, 10, 15), len(SAMPLE)
    )


async def test_an_accepted_file_is_a_validating_job_in_the_callers_scope(
    fake: FakeMembersUnitOfWork, services: ImportServices
) -> None:
    cmd = UploadImport(ImportKind.MEMBERS, "members.csv", SAMPLE)
    job, table = await accept_upload(cmd, principal=ADMIN, s=services)
    assert fake.imports.jobs[job.id] == job
    assert fake.committed
    assert (job.status, job.region_scope, job.total_rows) == (
        ImportStatus.VALIDATING,
        ADMIN.region_code,
        len(table.rows),
    )


async def test_a_file_too_large_or_a_caller_who_may_not_import_leaves_no_job(
    fake: FakeMembersUnitOfWork, services: ImportServices
) -> None:
    big = UploadImport(ImportKind.MEMBERS, "members.csv", SAMPLE + b"\n")
    with pytest.raises(FileRejected) as rejected:
        await accept_upload(big, principal=ADMIN, s=services)
    assert rejected.value.status == 413
    with pytest.raises(Forbidden):
        await accept_upload(
            UploadImport(ImportKind.MEMBERS, "m.csv", SAMPLE),
            principal=as_(Role.COMMITTEE_STAFF),
            s=services,
        )
    assert fake.imports.jobs == {}
    assert not fake.committed


class _QuietLog:
    """Stands in for the handler's logger: rendering a traceback costs a second."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def exception(self, event: str, **_: object) -> None:
        self.failures.append(event)


async def test_an_import_that_fails_on_our_side_is_failed_with_nothing_applied(
    fake: FakeMembersUnitOfWork, services: ImportServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _QuietLog()
    monkeypatch.setattr(handlers, "log", log)
    # The fake has no database for the importer to read: the run breaks as a lost one would.
    job, table = await accept_upload(
        UploadImport(ImportKind.MEMBERS, "members.csv", SAMPLE), principal=ADMIN, s=services
    )
    await run_import(RunImport(job, table), principal=ADMIN, s=services)
    assert fake.imports.outcomes[job.id] == (ImportStatus.FAILED, [], FAILED)
    assert fake.published == []
    assert log.failures == ["import failed"]
