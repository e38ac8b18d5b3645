"""A concern's way along the duty list: submitted, accepted or not, assigned, replied, rated."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.visits.commands import (
    AcceptConcern,
    AssignConcern,
    MergeConcern,
    RateConcern,
    RejectConcern,
    ReplyToConcern,
    SubmitConcernOnline,
    UpgradeConcern,
)
from services.visits.domain.concerns import Concern, Status
from services.visits.handlers import concerns as use
from services.visits.handlers.concerns import ConcernStep
from services.visits.handlers.submissions import submit_online
from services.visits.repository.roster import RosterMember
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Principal
from shared.contracts import visits as ev
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kernel import FixedClock
from tests.unit.visits.fake_concerns import RoundRow
from tests.unit.visits.fakes import (
    NOW,
    TIMEZONE,
    TODAY,
    FakeVisitsUnitOfWork,
    constituent,
    department,
    member_principal,
    staff,
)

DUE = TODAY + timedelta(days=14)


def _on_list(
    fake: FakeVisitsUnitOfWork,
    member: RosterMember,
    status: Status = Status.SUBMITTED,
    **values: Any,
) -> Concern:
    """A concern the member's visit put on their list, moved straight to `status`."""
    concern = Concern(
        **{
            "id": uuid4(),
            "member_id": member.member_id,
            "region_code": member.region_code,
            "sector_code": member.sector_code,
            "kind": "problem",
            "source": "contact_record",
            "title": "路灯坏了",
            "body": "b",
            "visit_id": uuid4(),
            "liaison_id": None,
            "submitted_by": "m",
            "submitted_by_role": "member",
            "consent_to_share_identity": False,
            "submitted_at": NOW,
            "status": status,
            **values,
        }
    )
    fake.concerns.saved[concern.id] = concern
    return concern


async def _run(
    step: ConcernStep[Any], cmd: object, principal: Principal, uow: VisitsUnitOfWork
) -> Concern:
    return await step(cmd, principal=principal, uow=uow, clock=FixedClock(NOW), timezone=TIMEZONE)


async def test_a_constituent_submits_a_concern_to_a_member_of_their_area(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member(region_code="230302")
    cmd = SubmitConcernOnline(member.member_id, "suggestion", " 加装路灯 ", " 夜里太黑 ", True)
    concern, created = await submit_online(cmd, principal=constituent(), uow=uow, clock=clock)
    assert created
    assert fake.concerns.saved[concern.id] == concern
    assert (concern.source, concern.title, concern.body) == ("online", "加装路灯", "夜里太黑")
    assert concern.submitted_by == "citizen-1"
    [event] = fake.published
    assert isinstance(event, ev.ConcernSubmittedV1)
    assert event.submitted_by == "citizen-1"


async def test_a_replayed_online_submission_returns_the_first_concern_without_a_second_event(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member()
    cmd = SubmitConcernOnline(member.member_id, "problem", "t", "b", False)
    first, _ = await submit_online(
        cmd, principal=constituent(), uow=uow, clock=clock, idempotency_key="k"
    )
    again, created = await submit_online(
        cmd, principal=constituent(), uow=uow, clock=clock, idempotency_key="k"
    )
    assert (again, created) == (first, False)
    assert len(fake.concerns.saved) == 1
    assert len(fake.published) == 1


async def test_only_constituents_submit_online_and_only_to_active_members(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member(status="on_leave")
    cmd = SubmitConcernOnline(member.member_id, "problem", "t", "b", False)
    with pytest.raises(Forbidden):
        await submit_online(cmd, principal=staff(), uow=uow, clock=clock)
    with pytest.raises(InvalidInput, match="not active"):
        await submit_online(cmd, principal=constituent(), uow=uow, clock=clock)
    with pytest.raises(NotFound):
        await submit_online(cmd, principal=constituent("230100"), uow=uow, clock=clock)
    assert (fake.commits, fake.concerns.saved) == (0, {})


async def test_the_member_accepts_a_concern_onto_their_duty_list(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member()
    concern = _on_list(fake, member)
    accepted = await _run(use.accept, AcceptConcern(concern.id), member_principal(member), uow)
    assert fake.concerns.saved[concern.id].status is Status.ACCEPTED == accepted.status
    [row] = fake.concerns.history[concern.id]
    assert (row.actor, row.step.from_status) == (member_principal(member).subject, Status.SUBMITTED)
    assert fake.published_types() == [ev.ConcernAcceptedV1.event_type_name]


async def test_a_rejection_keeps_its_reason_in_the_history_and_out_of_the_event(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member()
    concern = _on_list(fake, member)
    await _run(use.reject, RejectConcern(concern.id, "不属于职责范围"), staff(), uow)
    assert fake.concerns.saved[concern.id].status is Status.REJECTED
    assert fake.concerns.history[concern.id][0].step.note == "不属于职责范围"
    [event] = fake.published
    assert "不属于职责范围" not in event.model_dump_json()


async def test_a_step_the_state_does_not_allow_is_refused_and_nothing_is_committed(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member()
    concern = _on_list(fake, member, Status.ACCEPTED)
    with pytest.raises(Conflict):
        await _run(use.accept, AcceptConcern(concern.id), member_principal(member), uow)
    assert (fake.commits, fake.published) == (0, [])
    assert fake.concerns.saved[concern.id] == concern


async def test_who_may_not_see_a_concern_does_not_find_it_and_who_may_not_act_is_forbidden(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member, other = fake.roster.add_member(), fake.roster.add_member()
    concern = _on_list(
        fake,
        member,
        source="online",
        visit_id=None,
        submitted_by="citizen-1",
        submitted_by_role="constituent",
    )
    with pytest.raises(NotFound):
        await _run(use.accept, AcceptConcern(concern.id), member_principal(other), uow)
    with pytest.raises(NotFound):
        await _run(use.accept, AcceptConcern(concern.id), staff("230100"), uow)
    with pytest.raises(Forbidden):
        await _run(use.accept, AcceptConcern(concern.id), constituent(), uow)
    assert fake.commits == 0


async def test_a_duplicate_is_merged_into_an_earlier_concern_of_the_same_member(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member()
    earlier, duplicate = _on_list(fake, member, Status.ACCEPTED), _on_list(fake, member)
    merged = await _run(use.merge, MergeConcern(duplicate.id, earlier.id), staff(), uow)
    assert (merged.status, merged.merged_into) == (Status.MERGED, earlier.id)
    assert fake.concerns.saved[earlier.id] == earlier
    [event] = fake.published
    assert isinstance(event, ev.ConcernMergedV1)
    assert event.merged_into == earlier.id


async def test_a_concern_is_not_merged_into_another_members(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member, other = fake.roster.add_member(), fake.roster.add_member()
    theirs, mine = _on_list(fake, other, Status.ACCEPTED), _on_list(fake, member)
    with pytest.raises(InvalidInput, match="same member"):
        await _run(use.merge, MergeConcern(mine.id, theirs.id), member_principal(member), uow)
    assert fake.commits == 0


async def test_an_assignment_opens_a_round_and_queues_its_dispatch_without_identity(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member()
    liaison_id = fake.roster.add_liaison(member.member_id, consent=False)
    concern = _on_list(fake, member, Status.ACCEPTED, liaison_id=liaison_id)
    cmd = AssignConcern(concern.id, "jixi-education-bureau", DUE)
    assigned = await _run(use.assign, cmd, staff(), uow)
    assert (assigned.status, assigned.round, assigned.due_on) == (Status.ASSIGNED, 1, DUE)
    assert fake.concerns.rounds[(concern.id, 1)].department_code == "jixi-education-bureau"
    [dispatch] = fake.dispatches.rows.values()
    assert (dispatch.concern_id, dispatch.round, dispatch.status) == (concern.id, 1, "pending")
    payload = json.loads(fake.dispatches.payloads[dispatch.id])
    assert payload["submitter"] is None, "the liaison did not consent to departments"
    assert fake.published_types() == [ev.ConcernAssignedV1.event_type_name]


async def test_an_assignment_due_in_the_past_is_refused(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    concern = _on_list(fake, fake.roster.add_member(), Status.ACCEPTED)
    cmd = AssignConcern(concern.id, "jixi-education-bureau", TODAY - timedelta(days=1))
    with pytest.raises(InvalidInput, match="past"):
        await _run(use.assign, cmd, staff(), uow)
    assert (fake.commits, fake.dispatches.rows) == (0, {})


def _assigned(
    fake: FakeVisitsUnitOfWork, member: RosterMember, status: Status = Status.ASSIGNED
) -> Concern:
    concern = _on_list(
        fake,
        member,
        status,
        round=1,
        department_code="jixi-education-bureau",
        due_on=DUE,
    )
    fake.concerns.rounds[(concern.id, 1)] = _round(concern)
    return concern


def _round(c: Concern) -> RoundRow:
    assert c.department_code is not None
    assert c.due_on is not None
    return RoundRow(c.department_code, c.due_on)


async def test_the_assigned_department_replies_and_the_reply_is_kept_with_its_round(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    concern = _assigned(fake, fake.roster.add_member())
    await _run(use.reply, ReplyToConcern(concern.id, " 已修复 "), department(), uow)
    kept = fake.concerns.rounds[(concern.id, 1)]
    assert (kept.reply, kept.replied_on, kept.replied_via) == ("已修复", TODAY, "department")
    [event] = fake.published
    assert isinstance(event, ev.ConcernRepliedV1)
    assert event.on_time


async def test_another_department_does_not_find_the_concern(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    concern = _assigned(fake, fake.roster.add_member())
    with pytest.raises(NotFound):
        await _run(use.reply, ReplyToConcern(concern.id, "x"), department("other-bureau"), uow)
    assert fake.commits == 0


async def test_a_satisfied_and_resolved_rating_closes_the_concern(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member()
    concern = _assigned(fake, member, Status.REPLIED)
    rated = await _run(use.rate, RateConcern(concern.id, 5, True), member_principal(member), uow)
    assert rated.status is Status.CLOSED
    assert fake.concerns.rounds[(concern.id, 1)].satisfaction == 5
    assert fake.published_types() == [
        ev.ConcernRatedV1.event_type_name,
        ev.ConcernClosedV1.event_type_name,
    ]


async def test_an_unsatisfied_rating_reopens_the_concern_for_a_second_round(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member()
    concern = _assigned(fake, member, Status.REPLIED)
    owner = member_principal(member)
    reopened = await _run(use.rate, RateConcern(concern.id, 2, False), owner, uow)
    assert reopened.status is Status.REOPENED
    again = await _run(use.assign, AssignConcern(concern.id, "jixi-water", DUE), staff(), uow)
    assert (again.round, again.department_code) == (2, "jixi-water")
    assert ev.ConcernReopenedV1.event_type_name in fake.published_types()


async def test_an_upgrade_keeps_the_concern_and_its_status_and_happens_once(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    concern = _on_list(fake, fake.roster.add_member(), Status.ACCEPTED)
    cmd = UpgradeConcern(concern.id, "proposal", " 提案-2026-017 ")
    upgraded = await _run(use.upgrade, cmd, staff(), uow)
    assert (upgraded.status, upgraded.upgraded_to) == (Status.ACCEPTED, "proposal")
    assert upgraded.upgrade_reference == "提案-2026-017"
    with pytest.raises(Conflict, match="already upgraded"):
        await _run(use.upgrade, replace(cmd, to="public_opinion_report"), staff(), uow)
    assert fake.published_types() == [ev.ConcernUpgradedV1.event_type_name]
