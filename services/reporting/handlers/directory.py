"""Member and liaison dimensions from members.member and members.liaison."""

from __future__ import annotations

from services.reporting.domain import local_day
from services.reporting.handlers.timeline import add_to_timeline
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import members as m


async def on_member_registered(e: m.MemberRegisteredV1, uow: ReportingUnitOfWork) -> None:
    profile = (e.full_name, e.sector_code, e.committee_code, e.special_committee_code)
    await uow.directory.save_profile(
        e.member_id, region_code=e.region_code, at=e.occurred_at, profile=profile, status=None
    )
    await add_to_timeline(e, uow, member_id=e.member_id, subject_id=None)


async def on_member_updated(e: m.MemberUpdatedV1, uow: ReportingUnitOfWork) -> None:
    profile = (e.full_name, e.sector_code, e.committee_code, e.special_committee_code)
    await uow.directory.save_profile(
        e.member_id, region_code=e.region_code, at=e.occurred_at, profile=profile, status=e.status
    )
    await add_to_timeline(e, uow, member_id=e.member_id, subject_id=None)


async def on_member_retired(e: m.MemberRetiredV1, uow: ReportingUnitOfWork) -> None:
    await uow.directory.save_status(
        e.member_id, region_code=e.region_code, at=e.occurred_at, status="retired"
    )
    await add_to_timeline(e, uow, member_id=e.member_id, subject_id=None)


async def on_liaison_linked(e: m.LiaisonLinkedV1, uow: ReportingUnitOfWork) -> None:
    await uow.directory.link_liaison(
        e.liaison_id,
        e.member_id,
        region_code=e.region_code,
        sector=e.sector_code,
        on=local_day(e.occurred_at),
    )


async def on_liaison_unlinked(e: m.LiaisonUnlinkedV1, uow: ReportingUnitOfWork) -> None:
    await uow.directory.unlink_liaison(
        e.liaison_id, e.member_id, region_code=e.region_code, on=local_day(e.occurred_at)
    )
