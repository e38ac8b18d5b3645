"""Events as the other services publish them, with only what a test cares about stated."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from shared.contracts import members as m
from shared.contracts import visits as v

AT = datetime(2026, 9, 14, 1, 0, tzinfo=UTC)
REGION = "230302"


def registered(**overrides: Any) -> m.MemberRegisteredV1:
    values: dict[str, Any] = {
        "occurred_at": AT,
        "region_code": REGION,
        "member_id": uuid4(),
        "full_name": "王委员",
        "sector_code": "education",
        "committee_code": "cppcc-230300",
        **overrides,
    }
    return m.MemberRegisteredV1(**values)


def retired(member_id: UUID) -> m.MemberRetiredV1:
    return m.MemberRetiredV1(
        occurred_at=AT, region_code=REGION, member_id=member_id, retired_on=AT.date()
    )


def _obligation(member_id: UUID) -> dict[str, Any]:
    return {
        "occurred_at": AT,
        "region_code": REGION,
        "obligation_id": uuid4(),
        "member_id": member_id,
        "occasion_kind": "policy_issued",
        "sector_code": "education",
        "due_on": date(2026, 9, 20),
    }


def obligation_opened(member_id: UUID, **overrides: Any) -> v.ObligationOpenedV1:
    values = {**_obligation(member_id), "source_id": uuid4(), "title": "教师队伍建设意见"}
    return v.ObligationOpenedV1(**{**values, **overrides})


def obligation_overdue(member_id: UUID) -> v.ObligationOverdueV1:
    return v.ObligationOverdueV1(**_obligation(member_id))


def obligation_fulfilled(opened: v.ObligationOpenedV1) -> v.ObligationFulfilledV1:
    values = {**_obligation(opened.member_id), "obligation_id": opened.obligation_id}
    return v.ObligationFulfilledV1(**values, visit_id=uuid4(), fulfilled_on=AT.date(), on_time=True)


def obligation_escalated(member_id: UUID, level: int, to: str) -> v.ObligationEscalatedV1:
    return v.ObligationEscalatedV1(**_obligation(member_id), level=level, escalated_to=to)


def policy_issued(sector: str = "education", scope: str = "230300") -> m.PolicyIssuedV1:
    return m.PolicyIssuedV1(
        occurred_at=AT,
        region_code="230000",
        occasion_id=uuid4(),
        title="关于进一步加强乡村教师队伍建设的意见",
        issued_on=AT.date(),
        sector_codes=[sector],
        region_codes=[scope],
    )


def circumstance(
    member_id: UUID, kind: Literal["life_change", "request", "hardship"]
) -> m.CircumstanceReportedV1:
    return m.CircumstanceReportedV1(
        occurred_at=AT,
        region_code=REGION,
        liaison_id=uuid4(),
        member_id=member_id,
        report_id=uuid4(),
        kind=kind,
        sector_code="education",
        display_name="李*芳",
    )


def _concern(concern_id: UUID, member_id: UUID) -> dict[str, Any]:
    return {
        "occurred_at": AT,
        "region_code": REGION,
        "concern_id": concern_id,
        "member_id": member_id,
        "sector_code": "education",
    }


def concern_submitted(
    concern_id: UUID, member_id: UUID, *, submitted_by: str
) -> v.ConcernSubmittedV1:
    return v.ConcernSubmittedV1(
        **_concern(concern_id, member_id),
        kind="problem",
        source="online",
        submitted_by=submitted_by,
    )


def concern_assigned(concern_id: UUID, member_id: UUID, department: str) -> v.ConcernAssignedV1:
    return v.ConcernAssignedV1(
        **_concern(concern_id, member_id),
        department_code=department,
        due_on=date(2026, 10, 14),
        round=1,
    )


def concern_replied(concern_id: UUID, member_id: UUID, department: str) -> v.ConcernRepliedV1:
    return v.ConcernRepliedV1(
        **_concern(concern_id, member_id),
        department_code=department,
        replied_on=AT.date(),
        on_time=True,
        round=1,
    )


def concern_reopened(concern_id: UUID, member_id: UUID) -> v.ConcernReopenedV1:
    return v.ConcernReopenedV1(**_concern(concern_id, member_id))
