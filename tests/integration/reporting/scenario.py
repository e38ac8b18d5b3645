"""The hand-computed scenario: three members in Jixi and Harbin, their year 2026 in events.

Expected values (Jixi 230300, 2026-01-01..2026-12-31), worked out by hand below each fact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from shared.contracts import visits as v
from shared.contracts.base import IntegrationEvent
from tests.integration.reporting.history import (
    HARBIN_DISTRICT,
    HULIN,
    MISHAN,
    UPGRADE_REFERENCE,
    Member,
)

D = date


@dataclass
class Scenario:
    a: Member
    b: Member
    d: Member
    liaison_names: list[str]
    events: list[IntegrationEvent]


def build() -> Scenario:
    a = Member(MISHAN, "education", "王建国", "sc-education")
    b = Member(HULIN, "medicine_health", "赵丽华", "sc-health")
    d = Member(HARBIN_DISTRICT, "education", "孙志强", "sc-education")
    l1, l2, l3, l4, l5, l6 = (uuid4() for _ in range(6))
    names = ["李*芳", "张*明", "刘*红", "陈*强", "杨*静", "黄*伟"]
    o1, o2, o3, o4, o5, o6 = (uuid4() for _ in range(6))
    c1, c2, c3, c4, c5, c6, c7 = (uuid4() for _ in range(7))
    events: list[IntegrationEvent] = [
        a.registered(),
        b.registered(),
        d.registered(),
        # Liaisons: A has L1-L3 (L3 unlinked), B L4-L5, D (Harbin) L6.
        *(a.liaison_linked(x, n) for x, n in zip((l1, l2, l3), names[:3], strict=True)),
        a.liaison_unlinked(l3),
        *(b.liaison_linked(x, n) for x, n in zip((l4, l5), names[3:5], strict=True)),
        d.liaison_linked(l6, names[5]),
        # Visits: v5 is in 2025, outside the period.
        a.visit(
            D(2026, 3, 1), "face_to_face", 10, 2, liaison_ids=[l1], fulfilled_obligation_ids=[o1]
        ),
        a.visit(D(2026, 3, 5), "online", 5, 0, liaison_ids=[l1]),
        b.visit(D(2026, 4, 1), "service", 20, 4, liaison_ids=[l4, l5]),
        d.visit(D(2026, 5, 1), "regular_work", 7, 1, liaison_ids=[l6]),
        a.visit(D(2025, 12, 30), "face_to_face", 100, 9, liaison_ids=[l2]),
        *_obligations(a, b, d, (o1, o2, o3, o4, o5, o6)),
        *_concerns(a, b, d, (c1, c2, c3, c4, c5, c6, c7)),
    ]
    return Scenario(a, b, d, names, events)


def _obligations(a: Member, b: Member, d: Member, ids: tuple[UUID, ...]) -> list[IntegrationEvent]:
    o1, o2, o3, o4, o5, o6 = ids
    return [
        a.opened(o1, D(2026, 3, 10)),
        a.obligation(
            v.ObligationFulfilledV1,
            o1,
            D(2026, 3, 10),
            D(2026, 3, 1),
            visit_id=uuid4(),
            fulfilled_on=D(2026, 3, 1),
            on_time=True,
        ),
        a.opened(o2, D(2026, 3, 20)),
        a.obligation(v.ObligationOverdueV1, o2, D(2026, 3, 20), D(2026, 3, 21)),
        a.obligation(
            v.ObligationFulfilledV1,
            o2,
            D(2026, 3, 20),
            D(2026, 3, 25),
            visit_id=uuid4(),
            fulfilled_on=D(2026, 3, 25),
            on_time=False,
        ),
        a.opened(o3, D(2026, 4, 1)),
        a.obligation(v.ObligationOverdueV1, o3, D(2026, 4, 1), D(2026, 4, 2)),
        a.obligation(
            v.ObligationEscalatedV1,
            o3,
            D(2026, 4, 1),
            D(2026, 4, 3),
            level=1,
            escalated_to="sc-education",
        ),
        a.obligation(
            v.ObligationEscalatedV1,
            o3,
            D(2026, 4, 1),
            D(2026, 4, 10),
            level=2,
            escalated_to="230300",
        ),
        b.opened(o4, D(2026, 5, 1)),
        b.obligation(
            v.ObligationFulfilledV1,
            o4,
            D(2026, 5, 1),
            D(2026, 4, 1),
            visit_id=uuid4(),
            fulfilled_on=D(2026, 4, 1),
            on_time=True,
        ),
        b.opened(o5, D(2026, 6, 1)),
        b.obligation(v.ObligationWithdrawnV1, o5, D(2026, 6, 1), D(2026, 5, 20)),
        d.opened(o6, D(2026, 5, 5)),
    ]


def _concerns(a: Member, b: Member, d: Member, ids: tuple[UUID, ...]) -> list[IntegrationEvent]:
    c1, c2, c3, c4, c5, c6, c7 = ids
    return [
        # C1: replied on time after 10 days, rated 5 and resolved, closed.
        a.submitted(c1, D(2026, 3, 2)),
        a.concern(v.ConcernAcceptedV1, c1, D(2026, 3, 2)),
        a.assigned(c1, D(2026, 3, 3)),
        a.replied(c1, D(2026, 3, 12), on_time=True),
        a.rated(c1, D(2026, 3, 13), 5, resolved=True),
        a.concern(v.ConcernClosedV1, c1, D(2026, 3, 14), resolved=True),
        # C2: late reply after 20 days, rated 2, reopened; round 2 on time, rated 4, resolved.
        a.submitted(c2, D(2026, 3, 3)),
        a.assigned(c2, D(2026, 3, 4)),
        a.replied(c2, D(2026, 3, 23), on_time=False),
        a.rated(c2, D(2026, 3, 24), 2, resolved=False),
        a.concern(v.ConcernReopenedV1, c2, D(2026, 3, 25)),
        a.assigned(c2, D(2026, 3, 26), round_=2),
        a.replied(c2, D(2026, 4, 10), on_time=True, round_=2),
        a.rated(c2, D(2026, 4, 11), 4, resolved=True, round_=2),
        # C3 rejected (handled); C4 merged into C3 (handled).
        a.submitted(c3, D(2026, 3, 4)),
        a.concern(v.ConcernRejectedV1, c3, D(2026, 3, 5)),
        b.submitted(c4, D(2026, 4, 2)),
        b.concern(v.ConcernMergedV1, c4, D(2026, 4, 3), merged_into=c3),
        # C5 assigned, no reply yet, upgraded to a proposal; C6 upgraded to a report only.
        b.submitted(c5, D(2026, 4, 5)),
        b.assigned(c5, D(2026, 4, 6)),
        b.concern(
            v.ConcernUpgradedV1,
            c5,
            D(2026, 4, 7),
            upgraded_to="proposal",
            reference=UPGRADE_REFERENCE,
        ),
        b.submitted(c6, D(2026, 4, 8)),
        b.concern(
            v.ConcernUpgradedV1,
            c6,
            D(2026, 4, 9),
            upgraded_to="public_opinion_report",
            reference=UPGRADE_REFERENCE,
        ),
        # C7 in Harbin: outside Jixi.
        d.submitted(c7, D(2026, 5, 2)),
        d.assigned(c7, D(2026, 5, 3)),
        d.replied(c7, D(2026, 5, 6), on_time=True),
    ]


# Jixi, the whole of 2026, by hand.
JIXI_COUNTS = {
    "contacts": 3,  # v1, v2 (A) and v3 (B); v4 is Harbin, v5 is 2025
    "contacts_face_to_face": 1,
    "contacts_online": 1,
    "contacts_service": 1,
    "contacts_regular_work": 0,
    "contacts_innovative": 0,
    "people_reached": 35,  # 10 + 5 + 20
    "heart_to_heart_talks": 6,  # 2 + 0 + 4
    "liaisons_active": 4,  # L1, L2, L4, L5 (L3 unlinked)
    "liaisons_contacted": 3,  # L1, L4, L5 (L2 only in 2025)
    "obligations_due": 4,  # O1-O4 (O5 withdrawn)
    "obligations_fulfilled_on_time": 2,  # O1, O4
    "obligations_fulfilled_late": 1,  # O2
    "obligations_fulfilled": 3,  # on time or late
    "obligations_overdue": 1,  # O3 (O2 went overdue but was fulfilled)
    "obligations_escalated": 1,  # O3
    "concerns_collected": 6,  # C1-C6
    "concerns_handled": 4,  # C1, C2 replied; C3 rejected; C4 merged
    "concerns_assigned": 3,  # C1, C2, C5
    "concerns_replied": 2,  # C1, C2
    "concerns_replied_on_time": 2,  # C1; C2's latest round
    "concerns_rated": 2,
    "concerns_satisfied": 2,  # 5; C2's latest rating 4
    "concerns_resolved": 2,  # C1 closed resolved; C2 rated resolved
    "public_opinion_reports": 1,
    "proposals": 1,
}
JIXI_RATES = {
    "compliance": (2, 4, 0.5),
    "fulfilment_rate": (3, 4, 0.75),  # O1, O4 on time and O2 late, of O1-O4
    "coverage": (3, 4, 0.75),
    "reply_rate": (2, 3, 0.6667),
    "on_time_reply_rate": (2, 2, 1.0),
    "resolution_rate": (2, 3, 0.6667),
    "satisfaction_rate": (2, 2, 1.0),
    "handled_rate": (4, 6, 0.6667),
}
JIXI_AVERAGE_DAYS_TO_REPLY = 15.0  # (10 + 20) / 2: the first reply counts
