"""Registering, updating and retiring members, against the in-memory unit of work."""

from __future__ import annotations

import pytest

from services.members.domain.members import MemberProfile, MemberStatus
from services.members.handlers.members import (
    RegisterMember,
    RetireMember,
    UpdateMember,
    register_member,
    retire_member,
    update_member,
)
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Role
from shared.errors import Conflict, Forbidden, NotFound
from shared.kernel import FixedClock
from tests.unit.members.conftest import HARBIN, MISHAN, as_, member_in
from tests.unit.members.fakes import FakeMembersUnitOfWork

ADMIN = as_(Role.CITY_ADMIN)


def _profile(region: str = MISHAN, **changes: str) -> MemberProfile:
    values = {"full_name": "王淑芬", "sector_code": "education", "committee_code": "cppcc-230300"}
    return MemberProfile(**{**values, **changes}, region_code=region)


async def test_registering_saves_the_member_and_announces_it(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member, created = await register_member(
        RegisterMember(_profile()), principal=ADMIN, uow=uow, clock=clock
    )
    assert created
    assert fake.members.rows[member.id].full_name == "王淑芬"
    assert fake.published_types() == ["members.member.registered.v1"]
    assert fake.commits == 1


async def test_a_replayed_idempotency_key_returns_the_first_member_without_a_second_event(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    cmd = RegisterMember(_profile())
    first, _ = await register_member(
        cmd, principal=ADMIN, uow=uow, clock=clock, idempotency_key="k-1"
    )
    again, created = await register_member(
        cmd, principal=ADMIN, uow=uow, clock=clock, idempotency_key="k-1"
    )
    assert (again, created) == (first, False)
    assert len(fake.members.rows) == 1
    assert fake.published_types() == ["members.member.registered.v1"]


async def test_the_same_key_for_another_profile_is_a_conflict(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    await register_member(
        RegisterMember(_profile()), principal=ADMIN, uow=uow, clock=clock, idempotency_key="k"
    )
    with pytest.raises(Conflict):
        await register_member(
            RegisterMember(_profile(full_name="李建国")),
            principal=ADMIN,
            uow=uow,
            clock=clock,
            idempotency_key="k",
        )
    assert len(fake.members.rows) == 1
    assert fake.commits == 1


async def test_an_office_may_not_register_outside_its_area(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(Forbidden):
        await register_member(
            RegisterMember(_profile(HARBIN)), principal=ADMIN, uow=uow, clock=clock
        )
    assert fake.members.rows == {}
    assert not fake.committed


async def test_committee_staff_may_not_register(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(Forbidden):
        await register_member(
            RegisterMember(_profile()), principal=as_(Role.COMMITTEE_STAFF), uow=uow, clock=clock
        )
    assert not fake.committed


async def test_an_update_saves_the_new_profile_and_announces_it(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    cmd = UpdateMember(member.id, _profile(full_name="陈新"), MemberStatus.ON_LEAVE)
    updated = await update_member(cmd, principal=ADMIN, uow=uow, clock=clock)
    assert fake.members.rows[member.id] == updated
    assert (updated.full_name, updated.status) == ("陈新", MemberStatus.ON_LEAVE)
    assert fake.published_types() == ["members.member.updated.v1"]


async def test_an_update_that_changes_nothing_publishes_nothing(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake, full_name="王淑芬")
    cmd = UpdateMember(member.id, _profile(), MemberStatus.ACTIVE)
    assert await update_member(cmd, principal=ADMIN, uow=uow, clock=clock) == member
    assert fake.published == []
    assert not fake.committed


async def test_updating_a_member_outside_the_scope_finds_no_one(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    harbin_member = member_in(fake, region=HARBIN)
    # Moving it into Jixi needs seeing it first: the lookup is scoped to Jixi.
    cmd = UpdateMember(harbin_member.id, _profile(MISHAN), MemberStatus.ACTIVE)
    with pytest.raises(NotFound):
        await update_member(cmd, principal=ADMIN, uow=uow, clock=clock)
    assert fake.members.rows[harbin_member.id] == harbin_member
    assert not fake.committed


async def test_retiring_marks_the_member_retired_and_announces_it(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member = member_in(fake)
    retired = await retire_member(RetireMember(member.id), principal=ADMIN, uow=uow, clock=clock)
    assert fake.members.rows[member.id].status is MemberStatus.RETIRED == retired.status
    assert fake.published_types() == ["members.member.retired.v1"]


async def test_a_member_cannot_retire_someone_else_and_hears_not_found(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    member, other = member_in(fake), member_in(fake)
    with pytest.raises(NotFound):
        await retire_member(
            RetireMember(member.id),
            principal=as_(Role.MEMBER, MISHAN, member_id=other.id),
            uow=uow,
            clock=clock,
        )
    assert fake.members.rows[member.id].status is MemberStatus.ACTIVE
    assert not fake.committed
