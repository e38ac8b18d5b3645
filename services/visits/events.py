"""From visits' rows to the integration events others read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from services.visits.domain.concerns import Action, Concern, Step
from services.visits.domain.visits import ContactRecord
from services.visits.repository.obligations import ObligationRow
from shared.contracts import visits as ev
from shared.contracts.base import IntegrationEvent


def _obligation(o: ObligationRow, at: datetime) -> dict[str, Any]:
    return {
        "occurred_at": at,
        "region_code": o.region_code,
        "obligation_id": o.id,
        "member_id": o.member_id,
        "occasion_kind": o.occasion_kind,
        "sector_code": o.sector_code,
        "due_on": o.due_on,
    }


def obligation_opened(o: ObligationRow) -> ev.ObligationOpenedV1:
    return ev.ObligationOpenedV1(
        **_obligation(o, o.opened_at),
        source_id=o.source_id,
        title=o.title[:200],
        liaison_id=o.liaison_id,
        special_committee_code=o.special_committee_code,
    )


def obligation_fulfilled(o: ObligationRow, at: datetime) -> ev.ObligationFulfilledV1:
    assert o.fulfilled_by is not None
    assert o.fulfilled_on is not None
    return ev.ObligationFulfilledV1(
        **_obligation(o, at),
        visit_id=o.fulfilled_by,
        fulfilled_on=o.fulfilled_on,
        on_time=o.fulfilled_on <= o.due_on,
    )


def obligation_overdue(o: ObligationRow, at: datetime) -> ev.ObligationOverdueV1:
    return ev.ObligationOverdueV1(**_obligation(o, at))


def obligation_escalated(
    o: ObligationRow, at: datetime, *, level: int, to: str
) -> ev.ObligationEscalatedV1:
    return ev.ObligationEscalatedV1(**_obligation(o, at), level=level, escalated_to=to)


def obligation_withdrawn(o: ObligationRow, at: datetime) -> ev.ObligationWithdrawnV1:
    return ev.ObligationWithdrawnV1(**_obligation(o, at))


def visit_recorded(r: ContactRecord) -> ev.VisitRecordedV1:
    return ev.VisitRecordedV1(
        occurred_at=r.recorded_at,
        region_code=r.region_code,
        visit_id=r.id,
        member_id=r.member_id,
        sector_code=r.sector_code,
        channel=r.channel,
        occasion=r.occasion,
        occurred_on=r.occurred_on,
        place_kind=r.place_kind,
        place_id=r.place_id,
        liaison_ids=r.liaison_ids,
        people_reached=r.people_reached,
        heart_to_heart_talks=r.heart_to_heart_talks,
        fulfilled_obligation_ids=r.fulfilled_obligation_ids,
    )


def concern_events(c: Concern, steps: Sequence[Step], at: datetime) -> list[IntegrationEvent]:
    """One event per step of a concern's lifecycle, in the order the steps happened."""
    return [_concern_event(c, s, at) for s in steps]


def _concern_event(c: Concern, s: Step, at: datetime) -> IntegrationEvent:
    base: dict[str, Any] = {
        "occurred_at": at,
        "region_code": c.region_code,
        "concern_id": c.id,
        "member_id": c.member_id,
        "sector_code": c.sector_code,
    }
    d = s.detail
    match s.action:
        case Action.SUBMIT:
            return ev.ConcernSubmittedV1(
                **base,
                kind=c.kind,
                source=c.source,
                visit_id=c.visit_id,
                liaison_id=c.liaison_id,
                submitted_by=c.submitted_by if c.source == "online" else None,
            )
        case Action.ACCEPT:
            return ev.ConcernAcceptedV1(**base)
        case Action.REJECT:
            return ev.ConcernRejectedV1(**base)
        case Action.MERGE:
            return ev.ConcernMergedV1(**base, merged_into=d["merged_into"])
        case Action.ASSIGN:
            return ev.ConcernAssignedV1(
                **base,
                department_code=d["department_code"],
                due_on=date.fromisoformat(d["due_on"]),
                round=s.round,
            )
        case Action.REPLY:
            return ev.ConcernRepliedV1(
                **base,
                department_code=d["department_code"],
                replied_on=date.fromisoformat(d["replied_on"]),
                on_time=d["on_time"],
                round=s.round,
            )
        case Action.RATE:
            return ev.ConcernRatedV1(
                **base, satisfaction=d["satisfaction"], resolved=d["resolved"], round=s.round
            )
        case Action.CLOSE:
            return ev.ConcernClosedV1(**base, resolved=d["resolved"])
        case Action.REOPEN:
            return ev.ConcernReopenedV1(**base)
        case Action.UPGRADE:
            return ev.ConcernUpgradedV1(
                **base, upgraded_to=d["upgraded_to"], reference=d["reference"]
            )
