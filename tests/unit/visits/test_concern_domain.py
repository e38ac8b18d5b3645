"""The concern lifecycle as pure rules: every requested step from every state, who may see and
move a concern, and what a department learns about who raised it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from services.visits.domain import concerns as d
from services.visits.domain.concerns import Action, Concern, Liaison, Status
from shared.auth import Principal, Role
from shared.errors import Conflict, InvalidInput

TODAY = date(2026, 9, 10)
MEMBER = uuid4()
DEPT = "jixi-education-bureau"


def concern(status: Status = Status.SUBMITTED, **overrides: object) -> Concern:
    assigned = status in (Status.ASSIGNED, Status.REPLIED, Status.REOPENED, Status.CLOSED)
    values: dict[str, object] = {
        "id": uuid4(),
        "member_id": MEMBER,
        "region_code": "230382",
        "sector_code": "education",
        "kind": "problem",
        "source": "contact_record",
        "title": "校车接送",
        "body": "村小校车停运",
        "visit_id": uuid4(),
        "liaison_id": uuid4(),
        "submitted_by": "member-sub",
        "submitted_by_role": "member",
        "consent_to_share_identity": False,
        "submitted_at": datetime(2026, 9, 1, tzinfo=UTC),
        "status": status,
        "round": 1 if assigned else 0,
        "department_code": DEPT if assigned else None,
        "due_on": date(2026, 9, 30) if assigned else None,
        **overrides,
    }
    return Concern(**values)  # type: ignore[arg-type]


def perform(action: Action, c: Concern) -> d.Change:
    """Each requested step with arguments that are valid in themselves."""
    if action is Action.ACCEPT:
        return d.accept(c)
    if action is Action.REJECT:
        return d.reject(c, "不属于履职范围")
    if action is Action.MERGE:
        return d.merge(c, concern(Status.ACCEPTED))
    if action is Action.ASSIGN:
        return d.assign(c, DEPT, date(2026, 10, 10), today=TODAY)
    if action is Action.REPLY:
        return d.reply(c, replied_on=TODAY)
    if action is Action.RATE:
        return d.rate(c, satisfaction=5, resolved=True)
    assert action is Action.UPGRADE
    return d.upgrade(c, to="proposal", reference="2027-提案-0042")


S = Status
# Written out by hand (not derived from the module's table) so that the table itself is tested.
LEGAL = {
    (S.SUBMITTED, Action.ACCEPT): S.ACCEPTED,
    (S.SUBMITTED, Action.REJECT): S.REJECTED,
    (S.SUBMITTED, Action.MERGE): S.MERGED,
    (S.ACCEPTED, Action.ASSIGN): S.ASSIGNED,
    (S.REOPENED, Action.ASSIGN): S.ASSIGNED,
    (S.ASSIGNED, Action.REPLY): S.REPLIED,
    (S.REPLIED, Action.RATE): S.CLOSED,
    (S.ACCEPTED, Action.UPGRADE): S.ACCEPTED,
    (S.ASSIGNED, Action.UPGRADE): S.ASSIGNED,
    (S.REPLIED, Action.UPGRADE): S.REPLIED,
    (S.CLOSED, Action.UPGRADE): S.CLOSED,
}
REQUESTED = [a for a in Action if a not in (Action.SUBMIT, Action.CLOSE, Action.REOPEN)]
ALL_EDGES = [(s, a) for s in Status for a in REQUESTED]


@pytest.mark.parametrize(("status", "action"), [e for e in ALL_EDGES if e in LEGAL])
def test_every_legal_step_moves_the_concern_and_records_where_it_came_from(
    status: Status, action: Action
) -> None:
    before = concern(status)
    change = perform(action, before)
    assert change.concern.status is LEGAL[(status, action)]
    assert change.steps[0].action is action
    assert change.steps[0].from_status is status
    assert change.steps[-1].to_status is change.concern.status


@pytest.mark.parametrize(("status", "action"), [e for e in ALL_EDGES if e not in LEGAL])
def test_every_other_step_is_an_illegal_transition_answered_with_409(
    status: Status, action: Action
) -> None:
    with pytest.raises(d.IllegalTransition) as raised:
        perform(action, concern(status))
    assert isinstance(raised.value, Conflict)
    assert raised.value.status == 409
    assert action.value in raised.value.detail


def test_the_requested_actions_are_exactly_those_the_table_allows() -> None:
    assert set(d.ALLOWED_FROM) == set(REQUESTED)


def test_submitting_starts_the_history_without_a_previous_state() -> None:
    change = d.submit(concern(round=3))
    assert change.concern.status is Status.SUBMITTED
    assert change.concern.round == 0
    assert [(s.action, s.from_status, s.to_status) for s in change.steps] == [
        (Action.SUBMIT, None, Status.SUBMITTED)
    ]


def test_a_submission_names_its_contact_record_exactly_when_it_came_from_one() -> None:
    with pytest.raises(InvalidInput):
        d.submit(concern(source="online"))
    with pytest.raises(InvalidInput):
        d.submit(concern(visit_id=None))


def test_each_assignment_is_a_new_round_with_its_department_and_due_date() -> None:
    first = d.assign(concern(Status.ACCEPTED), DEPT, date(2026, 9, 20), today=TODAY)
    reopened = replace(first.concern, status=Status.REOPENED)
    second = d.assign(reopened, "jixi-transport-bureau", date(2026, 10, 1), today=TODAY)
    assert (first.concern.round, second.concern.round) == (1, 2)
    assert second.concern.department_code == "jixi-transport-bureau"
    assert second.steps[0].detail == {
        "department_code": "jixi-transport-bureau",
        "due_on": "2026-10-01",
    }
    assert second.steps[0].round == 2


def test_an_assignment_due_in_the_past_is_refused() -> None:
    with pytest.raises(InvalidInput):
        d.assign(concern(Status.ACCEPTED), DEPT, date(2026, 9, 9), today=TODAY)


@pytest.mark.parametrize(
    ("replied_on", "on_time"), [(date(2026, 9, 30), True), (date(2026, 10, 1), False)]
)
def test_a_reply_is_on_time_up_to_and_including_the_due_date(
    replied_on: date, on_time: bool
) -> None:
    change = d.reply(concern(Status.ASSIGNED), replied_on=replied_on)
    assert change.steps[0].detail["on_time"] is on_time
    assert change.steps[0].detail["department_code"] == DEPT


@pytest.mark.parametrize(
    ("satisfaction", "resolved", "outcome"),
    [
        (5, True, Status.CLOSED),
        (4, True, Status.CLOSED),
        (3, True, Status.REOPENED),
        (5, False, Status.REOPENED),
        (1, False, Status.REOPENED),
    ],
)
def test_a_rating_closes_only_when_satisfied_and_resolved_and_otherwise_reopens(
    satisfaction: int, resolved: bool, outcome: Status
) -> None:
    change = d.rate(concern(Status.REPLIED), satisfaction=satisfaction, resolved=resolved)
    assert change.concern.status is outcome
    rated, then = change.steps
    assert rated.action is Action.RATE
    assert rated.detail == {"satisfaction": satisfaction, "resolved": resolved}
    assert then.action is (Action.CLOSE if outcome is Status.CLOSED else Action.REOPEN)
    assert then.round == rated.round == 1


def test_rating_twice_is_illegal_whatever_the_first_rating_was() -> None:
    for first in (5, 2):
        once = d.rate(concern(Status.REPLIED), satisfaction=first, resolved=True).concern
        with pytest.raises(d.IllegalTransition):
            d.rate(once, satisfaction=5, resolved=True)


def test_a_satisfaction_outside_one_to_five_is_invalid() -> None:
    with pytest.raises(InvalidInput):
        d.rate(concern(Status.REPLIED), satisfaction=6, resolved=True)


def test_a_merged_concern_ends_and_points_at_the_one_it_joined() -> None:
    earlier = concern(Status.ACCEPTED)
    change = d.merge(concern(), earlier)
    assert change.concern.status is Status.MERGED
    assert change.concern.merged_into == earlier.id
    assert change.steps[0].detail == {"merged_into": str(earlier.id)}


def test_a_concern_merges_only_into_another_live_concern_of_the_same_member() -> None:
    c = concern()
    with pytest.raises(InvalidInput):
        d.merge(c, c)
    with pytest.raises(InvalidInput):
        d.merge(c, concern(member_id=uuid4()))
    for ended in (Status.REJECTED, Status.MERGED):
        with pytest.raises(d.IllegalTransition):
            d.merge(c, concern(ended))


def test_an_upgrade_keeps_the_status_and_provenance_and_happens_once() -> None:
    c = concern(Status.CLOSED)
    change = d.upgrade(c, to="public_opinion_report", reference="社情民意-2026-17")
    assert change.concern.id == c.id
    assert change.concern.status is Status.CLOSED
    assert (change.concern.upgraded_to, change.concern.upgrade_reference) == (
        "public_opinion_report",
        "社情民意-2026-17",
    )
    with pytest.raises(d.IllegalTransition):
        d.upgrade(change.concern, to="proposal", reference="x")


def test_a_rejection_reason_is_a_note_and_never_an_event_fact() -> None:
    step = d.reject(concern(), "重复提交").steps[0]
    assert step.note == "重复提交"
    assert step.detail == {}


# Who may see and move a concern.


def who(
    role: Role, region: str = "230382", *, sub: str = "s", member: UUID | None = None
) -> Principal:
    return Principal(sub, role, region, member)


def test_members_see_their_own_concerns_only() -> None:
    c = concern()
    assert d.visible(who(Role.MEMBER, member=MEMBER), c, ())
    assert not d.visible(who(Role.MEMBER, member=uuid4()), c, ())


def test_staff_see_the_concerns_of_their_region_only() -> None:
    c = concern()
    assert d.visible(who(Role.CITY_ADMIN, "230300"), c, ())
    assert d.visible(who(Role.COMMITTEE_STAFF, "230000"), c, ())
    assert not d.visible(who(Role.CITY_ADMIN, "230100"), c, ())


def test_a_department_sees_a_concern_only_once_assigned_to_it_and_in_its_area() -> None:
    c = concern(Status.ASSIGNED)
    assert d.visible(who(Role.DEPARTMENT, "230300", sub=DEPT), c, {DEPT})
    assert d.visible(who(Role.DEPARTMENT, "230300", sub=DEPT), c, {DEPT, "other"}), "ever"
    assert not d.visible(who(Role.DEPARTMENT, "230300", sub="other-bureau"), c, {DEPT})
    assert not d.visible(who(Role.DEPARTMENT, "230100", sub=DEPT), c, {DEPT})


def test_a_constituent_sees_only_their_own_online_submissions() -> None:
    mine = concern(
        source="online", visit_id=None, submitted_by="c-1", submitted_by_role="constituent"
    )
    assert d.visible(who(Role.CONSTITUENT, sub="c-1"), mine, ())
    assert not d.visible(who(Role.CONSTITUENT, sub="c-2"), mine, ())
    raised_by_member = concern(submitted_by="c-1")
    assert not d.visible(who(Role.CONSTITUENT, sub="c-1"), raised_by_member, ())


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.DATA_PLATFORM])
def test_roles_outside_the_duty_list_see_no_concern(role: Role) -> None:
    assert not d.visible(who(role, "230000"), concern(), ())
    assert d.read_scope(who(role, "230000")) is None


def test_owner_and_staff_handle_but_only_the_assigned_department_replies() -> None:
    c = concern(Status.ASSIGNED)
    owner, staff = who(Role.MEMBER, member=MEMBER), who(Role.COUNTY_ADMIN, "230382")
    for action in (Action.ACCEPT, Action.REJECT, Action.MERGE, Action.ASSIGN, Action.UPGRADE):
        assert d.may(owner, action, c)
        assert d.may(staff, action, c)
        assert not d.may(who(Role.DEPARTMENT, sub=DEPT), action, c)
    assert d.may(who(Role.DEPARTMENT, sub=DEPT), Action.REPLY, c)
    assert not d.may(who(Role.DEPARTMENT, sub="other-bureau"), Action.REPLY, c)
    assert not d.may(owner, Action.REPLY, c)
    assert not d.may(staff, Action.REPLY, c)


def test_the_submitter_rates_and_the_member_rates_for_contact_record_concerns() -> None:
    online = concern(
        Status.REPLIED,
        source="online",
        visit_id=None,
        submitted_by="c-1",
        submitted_by_role="constituent",
    )
    assert d.may(who(Role.CONSTITUENT, sub="c-1"), Action.RATE, online)
    assert not d.may(who(Role.MEMBER, member=MEMBER), Action.RATE, online)
    raised = concern(Status.REPLIED)
    assert d.may(who(Role.MEMBER, member=MEMBER), Action.RATE, raised)
    assert not d.may(who(Role.CITY_ADMIN, "230300"), Action.RATE, raised)


def test_departments_learn_a_liaison_only_with_the_liaisons_consent() -> None:
    c = concern()
    card = Liaison(c.liaison_id, "李*芳", consent_to_departments=False)  # type: ignore[arg-type]
    assert d.submitter(c, card, for_department=True) is None
    consented = replace(card, consent_to_departments=True)
    assert d.submitter(c, consented, for_department=True) == d.Submitter(
        liaison_id=c.liaison_id, display_name="李*芳"
    )
    assert d.submitter(c, card, for_department=False) == d.Submitter(
        liaison_id=c.liaison_id, display_name="李*芳"
    )


def test_departments_learn_an_online_submitter_only_if_they_consented() -> None:
    c = concern(source="online", visit_id=None, liaison_id=None, submitted_by="c-1")
    assert d.submitter(c, None, for_department=True) is None
    consented = replace(c, consent_to_share_identity=True)
    assert d.submitter(consented, None, for_department=True) == d.Submitter(constituent="c-1")


def test_each_role_reads_its_own_slice() -> None:
    assert d.read_scope(who(Role.MEMBER, member=MEMBER)) == d.ReadScope("230382", member_id=MEMBER)
    assert d.read_scope(who(Role.CITY_ADMIN, "230300"), member_id=MEMBER) == d.ReadScope(
        "230300", member_id=MEMBER
    )
    assert d.read_scope(who(Role.DEPARTMENT, sub=DEPT)) == d.ReadScope(
        "230382", department_code=DEPT
    )
    assert d.read_scope(who(Role.CONSTITUENT, sub="c-1")) == d.ReadScope(
        "230382", submitted_by="c-1"
    )
    # A member's own list is theirs whatever member id the query names.
    assert d.read_scope(who(Role.MEMBER, member=MEMBER), member_id=uuid4()) == d.ReadScope(
        "230382", member_id=MEMBER
    )
