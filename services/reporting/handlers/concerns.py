"""A concern's lifecycle into its one row, the member's dossier and the data-platform feed.

A run of concern events is merged per concern first (the same rules the row follows: latest
round wins, flags only move forward), then written with one statement.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.reporting import deidentify
from services.reporting.domain import local_day
from services.reporting.event_families import ConcernEvent
from services.reporting.handlers.timeline import publish_to_data_platform, timeline_entry
from services.reporting.repository.concerns import ConcernChange
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import visits as v

_FLAGS = {
    "accepted": "accepted",
    "rejected": "rejected",
    "merged": "merged",
    "public_opinion_report": "to_public_opinion",
    "proposal": "to_proposal",
}


async def apply_concern_events(events: Sequence[ConcernEvent], uow: ReportingUnitOfWork) -> None:
    merged: dict[object, ConcernChange] = {}
    for e in events:
        change = merged.get(e.concern_id)
        if change is None:
            change = ConcernChange(e.concern_id, e.member_id, e.region_code, e.sector_code)
            merged[e.concern_id] = change
        _merge(change, e)
    await uow.concerns.apply(list(merged.values()))
    await uow.timeline.append_all(
        [timeline_entry(e, member_id=e.member_id, subject_id=e.concern_id) for e in events]
    )
    await publish_to_data_platform(events, deidentify.concern_fact, uow)


def _merge(c: ConcernChange, e: ConcernEvent) -> None:
    match e:
        case v.ConcernSubmittedV1():
            c.submitted_on, c.kind = local_day(e.occurred_at), e.kind
        case v.ConcernAssignedV1():
            c.assigned_round = max(c.assigned_round or 0, e.round)
        case v.ConcernRepliedV1():
            c.first_replied_on = min(c.first_replied_on or e.replied_on, e.replied_on)
            if c.replied_round is None or e.round >= c.replied_round:
                c.replied_round, c.replied_on_time = e.round, e.on_time
        case v.ConcernRatedV1():
            if c.rated_round is None or e.round >= c.rated_round:
                c.rated_round, c.satisfaction, c.rated_resolved = (
                    e.round,
                    e.satisfaction,
                    e.resolved,
                )
        case v.ConcernClosedV1():
            c.closed, c.closed_resolved = True, e.resolved
        case v.ConcernReopenedV1():
            c.reopened += 1
        case v.ConcernUpgradedV1():
            setattr(c, _FLAGS[e.upgraded_to], True)
        case _:
            # accepted, rejected, merged: a flag named after the fact
            setattr(c, _FLAGS[e.event_type_name.split(".")[2]], True)
