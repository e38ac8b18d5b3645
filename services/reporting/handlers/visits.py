"""Contact records and must-visit obligations into the projections, the dossier and the feed."""

from __future__ import annotations

from services.reporting import deidentify
from services.reporting.events import ObligationEvent
from services.reporting.handlers.timeline import add_to_timeline, publish_to_data_platform
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import visits as v


async def on_visit_recorded(e: v.VisitRecordedV1, uow: ReportingUnitOfWork) -> None:
    await uow.visits.add(e)
    await add_to_timeline(e, uow, member_id=e.member_id, subject_id=e.visit_id)
    await publish_to_data_platform(deidentify.visit_fact(e, uow.pseudonymize), uow)


async def on_obligation_event(e: ObligationEvent, uow: ReportingUnitOfWork) -> None:
    await uow.obligations.ensure(e)
    match e:
        case v.ObligationOpenedV1():
            await uow.obligations.mark_opened(e.obligation_id)
        case v.ObligationFulfilledV1():
            await uow.obligations.mark_fulfilled(e.obligation_id, e.fulfilled_on, e.on_time)
        case v.ObligationOverdueV1():
            await uow.obligations.mark_overdue(e.obligation_id)
        case v.ObligationEscalatedV1():
            await uow.obligations.mark_escalated(e.obligation_id, e.level)
        case v.ObligationWithdrawnV1():
            await uow.obligations.mark_withdrawn(e.obligation_id)
    await add_to_timeline(e, uow, member_id=e.member_id, subject_id=e.obligation_id)
    await publish_to_data_platform(deidentify.obligation_fact(e, uow.pseudonymize), uow)
