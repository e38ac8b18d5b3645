"""Linking a member's one grassroots unit (基层单元)."""

from __future__ import annotations

import pytest

from services.members.handlers.units import LinkUnit, link_unit
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Role
from shared.errors import Forbidden, InvalidInput, NotFound
from shared.kernel import FixedClock
from tests.unit.members.conftest import HARBIN, HULIN, MISHAN, as_, member_in
from tests.unit.members.fakes import FakeMembersUnitOfWork

ADMIN = as_(Role.CITY_ADMIN)


async def test_a_first_link_creates_the_unit_and_announces_it(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    cmd = LinkUnit(member.id, "兴凯湖村", "village", MISHAN)
    unit, created = await link_unit(cmd, principal=ADMIN, uow=uow, clock=clock)
    assert created
    assert fake.units.by_member[member.id] == unit
    assert fake.published_types() == ["members.member.unit_linked.v1"]


async def test_linking_the_same_unit_again_changes_nothing(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    cmd = LinkUnit(member.id, "兴凯湖村", "village", MISHAN)
    first, _ = await link_unit(cmd, principal=ADMIN, uow=uow, clock=clock)
    again, created = await link_unit(cmd, principal=ADMIN, uow=uow, clock=clock)
    assert (again, created) == (first, False)
    assert len(fake.published) == 1
    assert fake.commits == 1


async def test_a_re_link_keeps_the_unit_id_and_announces_the_new_name(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    first, _ = await link_unit(
        LinkUnit(member.id, "兴凯湖村", "village", MISHAN), principal=ADMIN, uow=uow, clock=clock
    )
    moved, created = await link_unit(
        LinkUnit(member.id, "密山一中", "school", MISHAN), principal=ADMIN, uow=uow, clock=clock
    )
    assert not created
    assert moved.id == first.id
    assert moved.name == "密山一中"
    assert fake.published_types() == ["members.member.unit_linked.v1"] * 2


async def test_a_unit_outside_the_members_region_is_refused(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    with pytest.raises(InvalidInput):
        await link_unit(
            LinkUnit(member.id, "虎林某村", "village", HULIN), principal=ADMIN, uow=uow, clock=clock
        )
    assert fake.units.by_member == {}
    assert not fake.committed


async def test_scope_and_role_refusals_link_nothing(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member, harbin = member_in(fake), member_in(fake, region=HARBIN)
    with pytest.raises(NotFound):
        await link_unit(
            LinkUnit(harbin.id, "某小区", "other", HARBIN), principal=ADMIN, uow=uow, clock=clock
        )
    with pytest.raises(Forbidden):
        await link_unit(
            LinkUnit(member.id, "某小区", "other", MISHAN),
            principal=as_(Role.COMMITTEE_STAFF),
            uow=uow,
            clock=clock,
        )
    assert fake.units.by_member == {}
    assert not fake.committed
