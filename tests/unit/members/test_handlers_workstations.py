"""Opening, amending, staffing, rota-keeping and closing workstations (委员工作站)."""

from __future__ import annotations

from datetime import date

import pytest

from services.members.domain.organisation import SpecialCommittee
from services.members.domain.workstations import (
    DutyShift,
    NewWorkstation,
    Shift,
    WorkstationChanges,
    WorkstationKind,
    WorkstationStatus,
)
from services.members.handlers.workstations import (
    AmendWorkstation,
    AttachMembers,
    CloseWorkstation,
    OpenWorkstation,
    SetRota,
    amend_workstation,
    attach_members,
    close_workstation,
    open_workstation,
    set_rota,
)
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Role
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.kernel import FixedClock
from tests.unit.members.conftest import HARBIN, MISHAN, as_, member_in
from tests.unit.members.fakes import FakeMembersUnitOfWork

ADMIN = as_(Role.CITY_ADMIN)


def _open(region: str = MISHAN, **fields: str) -> OpenWorkstation:
    return OpenWorkstation(
        NewWorkstation(WorkstationKind.WORKSTATION, "兴凯湖委员工作站", region, **fields)
    )


async def _opened(uow: MembersUnitOfWork, clock: FixedClock) -> AmendWorkstation:
    ws, _ = await open_workstation(_open(), principal=ADMIN, uow=uow, clock=clock)
    return AmendWorkstation(ws.id, WorkstationChanges())


async def test_opening_saves_the_workstation_and_announces_it(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    ws, opened = await open_workstation(_open(), principal=ADMIN, uow=uow, clock=clock)
    assert opened
    assert fake.workstations.rows[ws.id].status is WorkstationStatus.OPEN
    assert fake.published_types() == ["members.workstation.opened.v1"]


async def test_a_replayed_open_returns_the_first_workstation_once(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    first, _ = await open_workstation(
        _open(), principal=ADMIN, uow=uow, clock=clock, idempotency_key="k"
    )
    again, opened = await open_workstation(
        _open(), principal=ADMIN, uow=uow, clock=clock, idempotency_key="k"
    )
    assert (again, opened) == (first, False)
    assert len(fake.published) == 1


async def test_a_workstation_outside_the_area_or_a_known_county_is_refused(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(Forbidden):
        await open_workstation(_open(HARBIN), principal=ADMIN, uow=uow, clock=clock)
    with pytest.raises(InvalidInput):
        await open_workstation(_open("230399"), principal=ADMIN, uow=uow, clock=clock)
    with pytest.raises(InvalidInput):
        await open_workstation(
            _open(guiding_special_committee_code="nobody"), principal=ADMIN, uow=uow, clock=clock
        )
    assert fake.workstations.rows == {}
    assert not fake.committed


async def test_a_new_head_is_saved_but_not_announced_and_a_new_name_is(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    cmd = await _opened(uow, clock)
    fake.published.clear()
    head = await amend_workstation(
        AmendWorkstation(cmd.workstation_id, WorkstationChanges(head_name="刘书记")),
        principal=ADMIN,
        uow=uow,
        clock=clock,
    )
    assert fake.workstations.rows[head.id].head_name == "刘书记"
    assert fake.published == []
    fake.organisation.specials["jixi-jk"] = SpecialCommittee("jixi-jk", "教科委", "cppcc-230300")
    await amend_workstation(
        AmendWorkstation(
            cmd.workstation_id, WorkstationChanges(guiding_special_committee_code="jixi-jk")
        ),
        principal=ADMIN,
        uow=uow,
        clock=clock,
    )
    assert fake.published_types() == ["members.workstation.changed.v1"]


async def test_only_serving_members_in_the_area_are_attached(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    cmd = await _opened(uow, clock)
    fake.published.clear()
    mine, theirs = member_in(fake), member_in(fake, region=HARBIN)
    with pytest.raises(InvalidInput, match=str(theirs.id)):
        await attach_members(
            AttachMembers(cmd.workstation_id, (mine.id, theirs.id)),
            principal=ADMIN,
            uow=uow,
            clock=clock,
        )
    assert fake.published == []
    ws = await attach_members(
        AttachMembers(cmd.workstation_id, (mine.id,)), principal=ADMIN, uow=uow, clock=clock
    )
    assert fake.workstations.rows[ws.id].member_ids == (mine.id,)
    assert fake.published_types() == ["members.workstation.changed.v1"]


async def test_the_rota_holds_attached_members_only(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    cmd = await _opened(uow, clock)
    mine, other = member_in(fake), member_in(fake)
    await attach_members(
        AttachMembers(cmd.workstation_id, (mine.id,)), principal=ADMIN, uow=uow, clock=clock
    )
    duty = DutyShift(date(2026, 9, 10), Shift.DAY, mine.id)
    with pytest.raises(InvalidInput):
        await set_rota(
            SetRota(cmd.workstation_id, (duty, DutyShift(date(2026, 9, 11), Shift.DAY, other.id))),
            principal=ADMIN,
            uow=uow,
        )
    assert await set_rota(SetRota(cmd.workstation_id, (duty,)), principal=ADMIN, uow=uow) == [duty]
    assert fake.workstations.rotas[cmd.workstation_id] == [duty]


async def test_a_closed_workstation_is_announced_and_refuses_changes(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    cmd = await _opened(uow, clock)
    fake.published.clear()
    closed = await close_workstation(
        CloseWorkstation(cmd.workstation_id), principal=ADMIN, uow=uow, clock=clock
    )
    assert fake.workstations.rows[closed.id].status is WorkstationStatus.CLOSED
    assert fake.published_types() == ["members.workstation.closed.v1"]
    with pytest.raises(Conflict):
        await amend_workstation(
            AmendWorkstation(cmd.workstation_id, WorkstationChanges(name="新名")),
            principal=ADMIN,
            uow=uow,
            clock=clock,
        )
    assert len(fake.published) == 1
