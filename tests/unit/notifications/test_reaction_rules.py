"""Who hears of what, from the event alone (plus the read model's facts)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from services.notifications.domain import reactions as react
from services.notifications.domain.reactions import ConcernOrigin
from shared.contracts import visits as v

NOW = datetime(2026, 9, 12, 2, tzinfo=UTC)


def _replied(member_id: UUID) -> v.ConcernRepliedV1:
    return v.ConcernRepliedV1(
        occurred_at=NOW,
        region_code="230302",
        concern_id=uuid4(),
        member_id=member_id,
        sector_code="education",
        department_code="jx-edu",
        replied_on=date(2026, 9, 12),
        on_time=True,
        round=1,
    )


def test_a_contact_record_concerns_reply_goes_to_the_member_only() -> None:
    member = uuid4()
    got = react.concern_replied(_replied(member), ConcernOrigin("contact_record", uuid4()))
    assert [(r.kind, r.recipients) for r in got] == [("concern_replied", (f"member:{member}",))]


def test_an_online_concerns_reply_also_asks_its_submitter_to_rate() -> None:
    member, liaison = uuid4(), uuid4()
    got = react.concern_replied(_replied(member), ConcernOrigin("online", liaison))
    assert [(r.kind, r.recipients) for r in got] == [
        ("concern_replied", (f"member:{member}",)),
        ("concern_rate_request", (f"liaison:{liaison}",)),
    ]


def test_an_escalation_goes_to_the_office_it_reached() -> None:
    e = v.ObligationEscalatedV1(
        occurred_at=NOW,
        region_code="230302",
        obligation_id=uuid4(),
        member_id=uuid4(),
        occasion_kind="policy_issued",
        sector_code="education",
        due_on=date(2026, 9, 1),
        level=2,
        escalated_to="230300",
    )
    (reaction,) = react.obligation_escalated(e, "钱委员")
    assert reaction.recipients == ("office:230300",)
    assert reaction.variables["member_name"] == "钱委员"
