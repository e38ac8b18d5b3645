"""A concern's lifecycle into its one row, the member's dossier and the data-platform feed."""

from __future__ import annotations

from services.reporting import deidentify
from services.reporting.domain import local_day
from services.reporting.events import ConcernEvent
from services.reporting.handlers.timeline import add_to_timeline, publish_to_data_platform
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import visits as v


async def on_concern_event(e: ConcernEvent, uow: ReportingUnitOfWork) -> None:
    await uow.concerns.ensure(e)
    await _project(e, uow)
    await add_to_timeline(e, uow, member_id=e.member_id, subject_id=e.concern_id)
    await publish_to_data_platform(deidentify.concern_fact(e, uow.pseudonymize), uow)


async def _project(e: ConcernEvent, uow: ReportingUnitOfWork) -> None:
    concerns, cid = uow.concerns, e.concern_id
    match e:
        case v.ConcernSubmittedV1():
            await concerns.mark_submitted(cid, local_day(e.occurred_at), e.kind)
        case v.ConcernAssignedV1():
            await concerns.mark_assigned(cid, e.round)
        case v.ConcernRepliedV1():
            await concerns.mark_replied(cid, e.round, e.replied_on, e.on_time)
        case v.ConcernRatedV1():
            await concerns.mark_rated(cid, e.round, e.satisfaction, e.resolved)
        case v.ConcernClosedV1():
            await concerns.mark_closed(cid, e.resolved)
        case v.ConcernUpgradedV1():
            await concerns.flag(cid, e.upgraded_to)
        case _:
            # accepted, rejected, merged, reopened: a flag named after the fact
            await concerns.flag(cid, e.event_type_name.split(".")[2])
