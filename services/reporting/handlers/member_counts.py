"""Members per region and sector (the first slice)."""

from __future__ import annotations

from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts.members import MemberRegisteredV1


async def count_registered_member(event: MemberRegisteredV1, uow: ReportingUnitOfWork) -> None:
    await uow.member_counts.increment(event.region_code, event.sector_code)
