"""Keeping visits' list of departments (承办单位) current, from members' events alone."""

from __future__ import annotations

from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import members as ev


async def department_changed(
    event: ev.DepartmentRegisteredV1 | ev.DepartmentUpdatedV1, uow: VisitsUnitOfWork
) -> None:
    await uow.departments.upsert(event)
