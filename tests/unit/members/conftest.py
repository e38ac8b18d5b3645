"""Fast-tier fixtures for the members use cases: an in-memory unit of work and a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast
from uuid import UUID

import pytest

from services.members.domain.members import Member, MemberStatus
from services.members.domain.organisation import Committee, Region
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.kernel import FixedClock
from tests.unit.members.fakes import FakeMembersUnitOfWork

AT = datetime(2026, 9, 4, 9, 0, tzinfo=UTC)
PROVINCE, JIXI, MISHAN, HULIN, HARBIN = "230000", "230300", "230382", "230381", "230100"


def as_(role: Role, region: str = JIXI, member_id: UUID | None = None) -> Principal:
    return Principal(f"{role.value}-{region}", role, region, member_id)


@pytest.fixture
def fake() -> FakeMembersUnitOfWork:
    """The directory a Jixi office starts from: regions, two sectors, the city's committee."""
    uow = FakeMembersUnitOfWork()
    org = uow.organisation
    for code, level, parent in (
        (PROVINCE, "province", None),
        (JIXI, "city", PROVINCE),
        (HARBIN, "city", PROVINCE),
        (MISHAN, "county", JIXI),
        (HULIN, "county", JIXI),
    ):
        org.regions[code] = Region(code, code, level, parent)
    org.sectors.update({"education": "教育界", "medicine_health": "医药卫生界"})
    org.committees["cppcc-230300"] = Committee("cppcc-230300", "政协鸡西市委员会", "city", JIXI)
    return uow


@pytest.fixture
def uow(fake: FakeMembersUnitOfWork) -> MembersUnitOfWork:
    """The same fake, typed as what the handlers take."""
    return cast(MembersUnitOfWork, fake)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(AT)


def member_in(fake: FakeMembersUnitOfWork, region: str = MISHAN, **fields: object) -> Member:
    """A serving member already in the directory (added without going through a handler)."""
    values: dict[str, object] = {
        "id": UUID(int=len(fake.members.rows) + 1),
        "full_name": "陈委员",
        "sector_code": "education",
        "committee_code": "cppcc-230300",
        "region_code": region,
        "status": MemberStatus.ACTIVE,
        "registered_at": AT,
        **fields,
    }
    member = Member(**values)  # type: ignore[arg-type]
    fake.members.rows[member.id] = member
    return member
