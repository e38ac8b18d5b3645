"""Contact records and must-visit obligations into the projections, the dossier and the feed.

Set-based: a run of events is merged per aggregate here and written with one statement per
table (see the repositories), whatever the run's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.reporting import deidentify
from services.reporting.event_families import ObligationEvent
from services.reporting.handlers.timeline import publish_to_data_platform, timeline_entry
from services.reporting.repository.obligations import ObligationChange
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import visits as v


async def record_visits(events: Sequence[v.VisitRecordedV1], uow: ReportingUnitOfWork) -> None:
    await uow.visits.add_all(list(events))
    await uow.timeline.append_all(
        [timeline_entry(e, member_id=e.member_id, subject_id=e.visit_id) for e in events]
    )
    await publish_to_data_platform(events, deidentify.visit_fact, uow)


async def apply_obligation_events(
    events: Sequence[ObligationEvent], uow: ReportingUnitOfWork
) -> None:
    merged: dict[object, ObligationChange] = {}
    for e in events:
        merged[e.obligation_id] = _merge(merged.get(e.obligation_id), e)
    await uow.obligations.apply(list(merged.values()))
    await uow.timeline.append_all(
        [timeline_entry(e, member_id=e.member_id, subject_id=e.obligation_id) for e in events]
    )
    await publish_to_data_platform(events, deidentify.obligation_fact, uow)


def _merge(seen: ObligationChange | None, e: ObligationEvent) -> ObligationChange:
    """Every event carries the row's identity; the facts only ever move it forward."""
    c = seen or ObligationChange(
        e.obligation_id,
        e.member_id,
        e.region_code,
        e.sector_code,
        e.occasion_kind,
        e.due_on,
        opened=False,
        fulfilled_on=None,
        fulfilled_on_time=None,
        overdue=False,
        escalation_level=0,
        withdrawn=False,
    )
    match e:
        case v.ObligationOpenedV1():
            return replace(c, opened=True)
        case v.ObligationFulfilledV1() if (
            c.fulfilled_on is None or e.fulfilled_on <= c.fulfilled_on
        ):
            return replace(c, fulfilled_on=e.fulfilled_on, fulfilled_on_time=e.on_time)
        case v.ObligationOverdueV1():
            return replace(c, overdue=True)
        case v.ObligationEscalatedV1():
            return replace(c, escalation_level=max(c.escalation_level, e.level))
        case v.ObligationWithdrawnV1():
            return replace(c, withdrawn=True)
    return c
