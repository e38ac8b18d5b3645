"""Recording a contact: what is saved, which events go out, what is refused (fast tier)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.visits.commands import RaisedConcern, RecordVisit
from services.visits.domain.visits import ContactRecord
from services.visits.handlers.visits import record_visit
from services.visits.repository.roster import RosterMember
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Principal
from shared.contracts import visits as ev
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kernel import FixedClock
from tests.unit.visits.fakes import (
    TIMEZONE,
    TODAY,
    FakeVisitsUnitOfWork,
    constituent,
    member_principal,
    staff,
)


def _visit(member: RosterMember, **values: Any) -> RecordVisit:
    defaults: dict[str, Any] = {
        "member_id": member.member_id,
        "channel": "face_to_face",
        "occasion": "routine",
        "occurred_on": TODAY,
        "place_kind": "other",
        "place_id": None,
        "liaison_ids": [],
        "people_reached": 12,
        "heart_to_heart_talks": 3,
        "summary": "  走访了三户  ",
        "evidence": [],
    }
    return RecordVisit(**{**defaults, **values})


async def _record(
    cmd: RecordVisit,
    principal: Principal,
    uow: VisitsUnitOfWork,
    clock: FixedClock,
    key: str | None = None,
) -> tuple[ContactRecord, bool]:
    return await record_visit(
        cmd, principal=principal, uow=uow, clock=clock, timezone=TIMEZONE, idempotency_key=key
    )


async def test_a_member_records_their_own_visit_and_it_is_announced(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member(region_code="230302", sector_code="agriculture")
    record, created = await _record(_visit(member), member_principal(member), uow, clock)
    assert created
    assert fake.visits.saved[record.id] == record
    assert (record.region_code, record.sector_code) == ("230302", "agriculture")
    assert record.summary == "走访了三户"
    assert record.recorded_at == clock.now()
    assert fake.published_types() == [ev.VisitRecordedV1.event_type_name]
    assert fake.commits == 1


async def test_a_visit_on_an_occasion_fulfils_what_the_member_owes_for_it(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member()
    owed = fake.obligations.add(member, "policy_issued", due_on=TODAY + timedelta(days=3))
    other = fake.obligations.add(member, "leader_speech", due_on=TODAY)
    cmd = _visit(member, occasion="policy_issued")
    record, _ = await _record(cmd, member_principal(member), uow, clock)
    assert record.fulfilled_obligation_ids == [owed.id]
    assert fake.obligations.rows[owed.id].status == "fulfilled"
    assert fake.obligations.rows[other.id].status == "open"
    fulfilled = [e for e in fake.published if isinstance(e, ev.ObligationFulfilledV1)]
    assert [(e.obligation_id, e.on_time) for e in fulfilled] == [(owed.id, True)]


async def test_a_replayed_idempotency_key_returns_the_first_record_without_a_second_event(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member()
    cmd = _visit(member)
    first, _ = await _record(cmd, member_principal(member), uow, clock, key="k-1")
    again, created = await _record(cmd, member_principal(member), uow, clock, key="k-1")
    assert again == first
    assert not created
    assert list(fake.visits.saved) == [first.id]
    assert fake.published_types() == [ev.VisitRecordedV1.event_type_name]


async def test_the_same_key_for_another_visit_is_a_conflict(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member()
    await _record(_visit(member), member_principal(member), uow, clock, key="k-1")
    with pytest.raises(Conflict):
        await _record(
            _visit(member, people_reached=99), member_principal(member), uow, clock, "k-1"
        )
    assert fake.commits == 1


async def test_a_member_may_not_record_for_another_member(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    me, other = fake.roster.add_member(), fake.roster.add_member()
    with pytest.raises(Forbidden):
        await _record(_visit(other), member_principal(me), uow, clock)
    with pytest.raises(Forbidden):
        await _record(_visit(other), constituent(), uow, clock)
    assert (fake.commits, fake.visits.saved) == (0, {})


async def test_staff_outside_the_members_region_do_not_find_the_member(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member(region_code="230302")
    with pytest.raises(NotFound):
        await _record(_visit(member), staff("230100"), uow, clock)
    record, _ = await _record(_visit(member), staff("230300"), uow, clock)
    assert record.recorded_by_role == "city_admin"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"occurred_on": TODAY + timedelta(days=1)}, "future"),
        ({"heart_to_heart_talks": 13}, "exceed"),
        ({"place_kind": "unit", "place_id": uuid4()}, "grassroots unit"),
        ({"liaison_ids": [uuid4()]}, "not the member's liaisons"),
        ({"obligation_ids": [uuid4()]}, "routine visit"),
    ],
)
async def test_an_invalid_visit_is_refused_and_nothing_is_committed(
    fake: FakeVisitsUnitOfWork,
    uow: VisitsUnitOfWork,
    clock: FixedClock,
    change: dict[str, Any],
    why: str,
) -> None:
    member = fake.roster.add_member()
    with pytest.raises(InvalidInput, match=why):
        await _record(_visit(member, **change), member_principal(member), uow, clock)
    assert (fake.commits, fake.published) == (0, [])


async def test_a_retired_member_records_no_more_visits(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member(status="retired")
    with pytest.raises(InvalidInput, match="retired"):
        await _record(_visit(member), staff(), uow, clock)


async def test_concerns_raised_in_a_visit_join_the_members_duty_list(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member()
    liaison_id = fake.roster.add_liaison(member.member_id)
    raised = [RaisedConcern("problem", " 路灯坏了 ", "body", liaison_id)]
    cmd = _visit(member, liaison_ids=[liaison_id], concerns=raised)
    record, _ = await _record(cmd, member_principal(member), uow, clock)
    [concern] = fake.concerns.saved.values()
    assert (concern.visit_id, concern.source, concern.title) == (
        record.id,
        "contact_record",
        "路灯坏了",
    )
    assert concern.liaison_id == liaison_id
    assert fake.published_types() == [
        ev.VisitRecordedV1.event_type_name,
        ev.ConcernSubmittedV1.event_type_name,
    ]


async def test_a_concern_naming_a_stranger_as_liaison_is_refused(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member()
    cmd = _visit(member, concerns=[RaisedConcern("problem", "t", "b", uuid4())])
    with pytest.raises(InvalidInput, match="liaison"):
        await _record(cmd, member_principal(member), uow, clock)
    assert fake.commits == 0


async def test_a_visit_at_an_open_workstation_carries_its_name(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, clock: FixedClock
) -> None:
    member = fake.roster.add_member()
    station = uuid4()
    fake.roster.workstations[station] = ("鸡冠区委员工作室", True)
    cmd = _visit(member, place_kind="workstation", place_id=station)
    record, _ = await _record(cmd, member_principal(member), uow, clock)
    assert record.place_name == "鸡冠区委员工作室"
    fake.roster.workstations[station] = ("鸡冠区委员工作室", False)
    with pytest.raises(InvalidInput, match="open workstation"):
        await _record(replace(cmd, summary="again"), member_principal(member), uow, clock)


async def test_today_is_the_provinces_calendar_day_not_utcs(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    member = fake.roster.add_member()
    # 17:30 UTC on the 10th is 01:30 on the 11th in Heilongjiang.
    late = FixedClock(datetime(2026, 9, 10, 17, 30, tzinfo=UTC))
    cmd = _visit(member, occurred_on=date(2026, 9, 11))
    record, _ = await _record(cmd, member_principal(member), uow, late)
    assert record.occurred_on == date(2026, 9, 11)
