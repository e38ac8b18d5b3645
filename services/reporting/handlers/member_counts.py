"""Members per region and sector (the first slice)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts.members import MemberRegisteredV1


async def count_registered_members(
    events: Sequence[MemberRegisteredV1], uow: ReportingUnitOfWork
) -> None:
    """A run of registrations as one upsert per (region, sector) it touches."""
    tally = Counter((e.region_code, e.sector_code) for e in events)
    for (region_code, sector_code), count in sorted(tally.items()):
        await uow.member_counts.increment(region_code, sector_code, by=count)
