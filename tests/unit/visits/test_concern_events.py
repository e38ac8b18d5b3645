"""Each lifecycle step becomes exactly its contract event, with the facts the contract names."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from services.visits.domain import concerns as d
from services.visits.domain.concerns import Concern
from services.visits.events import concern_events
from shared.contracts import visits as ev

AT = datetime(2026, 9, 10, 2, tzinfo=UTC)


def _submitted(member_id: UUID | None = None) -> Concern:
    return d.submit(
        Concern(
            id=uuid4(),
            member_id=member_id or uuid4(),
            region_code="230382",
            sector_code="education",
            kind="micro_suggestion",
            source="contact_record",
            title="t",
            body="b",
            visit_id=uuid4(),
            liaison_id=uuid4(),
            submitted_by="m",
            submitted_by_role="member",
            consent_to_share_identity=False,
            submitted_at=AT,
        )
    ).concern


def test_a_whole_lifecycle_maps_step_by_step_to_the_contract_events() -> None:
    c = _submitted()
    changes = [d.submit(c), d.accept(c)]
    c = changes[-1].concern
    changes.append(d.assign(c, "dept-a", date(2026, 9, 20), today=date(2026, 9, 10)))
    changes.append(d.reply(changes[-1].concern, replied_on=date(2026, 9, 21)))
    changes.append(d.rate(changes[-1].concern, satisfaction=2, resolved=False))
    changes.append(
        d.assign(changes[-1].concern, "dept-b", date(2026, 9, 30), today=date(2026, 9, 22))
    )
    changes.append(d.reply(changes[-1].concern, replied_on=date(2026, 9, 25)))
    changes.append(d.rate(changes[-1].concern, satisfaction=5, resolved=True))
    changes.append(d.upgrade(changes[-1].concern, to="proposal", reference="2027-提案-0042"))
    produced = [e for ch in changes for e in concern_events(ch.concern, ch.steps, AT)]
    assert [type(e) for e in produced] == [
        ev.ConcernSubmittedV1,
        ev.ConcernAcceptedV1,
        ev.ConcernAssignedV1,
        ev.ConcernRepliedV1,
        ev.ConcernRatedV1,
        ev.ConcernReopenedV1,
        ev.ConcernAssignedV1,
        ev.ConcernRepliedV1,
        ev.ConcernRatedV1,
        ev.ConcernClosedV1,
        ev.ConcernUpgradedV1,
    ]
    assert {e.partition_key() for e in produced} == {str(c.id)}
    first_reply, second_assign = produced[3], produced[6]
    assert isinstance(first_reply, ev.ConcernRepliedV1)
    assert (first_reply.on_time, first_reply.round) == (False, 1)
    assert isinstance(second_assign, ev.ConcernAssignedV1)
    assert (second_assign.department_code, second_assign.round) == ("dept-b", 2)
    submitted = produced[0]
    assert isinstance(submitted, ev.ConcernSubmittedV1)
    assert (submitted.visit_id, submitted.liaison_id) == (c.visit_id, c.liaison_id)


def test_merge_and_reject_events_carry_no_free_text() -> None:
    c = _submitted()
    other = _submitted(c.member_id)
    merged = d.merge(c, other)
    (event,) = concern_events(merged.concern, merged.steps, AT)
    assert isinstance(event, ev.ConcernMergedV1)
    assert event.merged_into == other.id
    rejected = d.reject(c, "理由")
    (event,) = concern_events(rejected.concern, rejected.steps, AT)
    assert "理由" not in event.model_dump_json()
