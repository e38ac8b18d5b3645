"""Declaring occasions and policies, and the festival calendar's pass (八必访 1-4, 8)."""

from __future__ import annotations

from datetime import date

import pytest

from services.members.domain.occasions import Declaration, Festival, OccasionKind
from services.members.handlers.occasions import (
    DeclareDueFestivals,
    DeclareOccasion,
    declare_due_festivals,
    declare_occasion,
)
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Role
from shared.errors import Forbidden, InvalidInput
from shared.kernel import FixedClock
from tests.unit.members.conftest import HARBIN, JIXI, PROVINCE, as_
from tests.unit.members.fakes import FakeMembersUnitOfWork

ADMIN = as_(Role.CITY_ADMIN)


def _declare(
    kind: OccasionKind = OccasionKind.LEADER_SPEECH,
    sectors: tuple[str, ...] = ("education",),
    regions: tuple[str, ...] = (JIXI,),
) -> DeclareOccasion:
    return DeclareOccasion(
        Declaration(kind, "重要讲话精神学习", date(2026, 9, 1), sectors, regions)
    )


async def test_a_declared_occasion_is_saved_and_announced(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    occasion, created = await declare_occasion(_declare(), principal=ADMIN, uow=uow, clock=clock)
    assert created
    assert fake.occasions.rows[occasion.id].declared_by == ADMIN.subject
    assert fake.published_types() == ["members.occasion.declared.v1"]


async def test_a_policy_is_announced_as_a_policy_only(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    await declare_occasion(
        _declare(OccasionKind.POLICY_ISSUED), principal=ADMIN, uow=uow, clock=clock
    )
    assert fake.published_types() == ["members.policy.issued.v1"]


async def test_a_replayed_declaration_returns_the_first_occasion_once(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    first, _ = await declare_occasion(
        _declare(), principal=ADMIN, uow=uow, clock=clock, idempotency_key="k"
    )
    again, created = await declare_occasion(
        _declare(), principal=ADMIN, uow=uow, clock=clock, idempotency_key="k"
    )
    assert (again, created) == (first, False)
    assert len(fake.occasions.rows) == 1
    assert len(fake.published) == 1


async def test_unknown_sectors_are_refused_and_nothing_is_committed(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    with pytest.raises(InvalidInput, match="astrology"):
        await declare_occasion(
            _declare(sectors=("astrology",)), principal=ADMIN, uow=uow, clock=clock
        )
    assert fake.occasions.rows == {}
    assert not fake.committed


@pytest.mark.parametrize(
    ("role", "regions"),
    [(Role.CITY_ADMIN, (HARBIN,)), (Role.CITY_ADMIN, (PROVINCE,)), (Role.COMMITTEE_STAFF, (JIXI,))],
)
async def test_only_offices_declare_and_only_for_their_area(
    fake: FakeMembersUnitOfWork,
    uow: MembersUnitOfWork,
    clock: FixedClock,
    role: Role,
    regions: tuple[str, ...],
) -> None:
    with pytest.raises(Forbidden):
        await declare_occasion(_declare(regions=regions), principal=as_(role), uow=uow, clock=clock)
    assert not fake.committed


async def test_a_festival_falling_due_is_declared_once_province_wide(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    fake.occasions.calendar = [
        Festival("education", "教师节", 9, 10),
        Festival("medicine_health", "国际护士节", 5, 12),
    ]
    due = DeclareDueFestivals(lead_days=7, province="230000")
    declared = await declare_due_festivals(due, uow=uow, clock=clock)
    assert [(o.title, o.occurs_on, o.region_codes) for o in declared] == [
        ("教师节", date(2026, 9, 10), (PROVINCE,))
    ]
    assert await declare_due_festivals(due, uow=uow, clock=clock) == []
    assert fake.published_types() == ["members.occasion.declared.v1"]
