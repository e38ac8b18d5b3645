"""Visits' picture of the directory follows the members service's events, in their order."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from services.visits.handlers import roster
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import members as ev
from shared.contracts import visits as visits_ev
from tests.support.builders import liaison_linked, member_registered, member_retired
from tests.unit.visits.fakes import NOW, TODAY, FakeVisitsUnitOfWork


async def test_a_registered_member_is_active_and_a_late_older_update_changes_nothing(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    registered = member_registered(occurred_at=NOW, sector_code="agriculture")
    older = ev.MemberUpdatedV1(
        **registered.model_dump(exclude={"event_id", "occurred_at"}),
        occurred_at=NOW - timedelta(days=1),
        status="on_leave",
    )
    await roster.member_registered_or_updated(registered, uow)
    await roster.member_registered_or_updated(older, uow)
    member = fake.roster.members[registered.member_id]
    assert (member.status, member.sector_code) == ("active", "agriculture")


async def test_a_retired_member_owes_nothing_more_and_that_is_announced(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    registered = member_registered(occurred_at=NOW)
    await roster.member_registered_or_updated(registered, uow)
    member = fake.roster.members[registered.member_id]
    owed = fake.obligations.add(member, "policy_issued", due_on=TODAY)
    done = fake.obligations.add(member, "leader_speech", due_on=TODAY, status="fulfilled")
    async with uow:
        await roster.member_retired(member_retired(registered), uow)
        await uow.commit()
    assert fake.roster.members[member.member_id].status == "retired"
    assert fake.obligations.rows[owed.id].status == "withdrawn"
    assert fake.obligations.rows[done.id].status == "fulfilled"
    assert fake.published_types() == [visits_ev.ObligationWithdrawnV1.event_type_name]


async def test_a_linked_unit_becomes_the_members_grassroots_place(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    registered = member_registered(occurred_at=NOW)
    await roster.member_registered_or_updated(registered, uow)
    unit_id = uuid4()
    linked = ev.UnitLinkedV1(
        occurred_at=NOW,
        region_code=registered.region_code,
        member_id=registered.member_id,
        unit_id=unit_id,
        unit_name="鸡冠区第一中学",
        unit_kind="school",
    )
    await roster.unit_linked(linked, uow)
    assert fake.roster.members[registered.member_id].unit_id == unit_id


async def test_a_liaison_counts_as_the_members_while_linked(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    registered = member_registered(occurred_at=NOW)
    linked = liaison_linked(registered, occurred_at=NOW)
    await roster.liaison_changed(linked, uow)
    assert await fake.roster.linked_liaisons(registered.member_id) == {linked.liaison_id}
    unlinked = ev.LiaisonUnlinkedV1(
        occurred_at=NOW,
        region_code=registered.region_code,
        liaison_id=linked.liaison_id,
        member_id=registered.member_id,
    )
    await roster.liaison_changed(unlinked, uow)
    assert await fake.roster.linked_liaisons(registered.member_id) == set()


async def test_only_an_open_workstation_is_a_place_to_record_a_visit_at(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    station = uuid4()
    opened = ev.WorkstationOpenedV1(
        occurred_at=NOW,
        region_code="230302",
        workstation_id=station,
        kind="workstation",
        name="鸡冠区委员工作室",
    )
    await roster.workstation_changed(opened, uow)
    assert await fake.roster.open_workstation_name(station) == "鸡冠区委员工作室"
    closed = ev.WorkstationClosedV1(occurred_at=NOW, region_code="230302", workstation_id=station)
    await roster.workstation_changed(closed, uow)
    assert await fake.roster.open_workstation_name(station) is None
