"""Departments (承办单位) kept by the offices of their area: registered once, changed in place."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from services.members.domain.departments import Department, DepartmentChanges
from services.members.handlers.departments import (
    RegisterDepartment,
    UpdateDepartment,
    register_department,
    update_department,
)
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Role
from shared.errors import Conflict, Forbidden, NotFound
from shared.kernel import FixedClock
from shared.regions import scope_prefix
from tests.unit.members.conftest import HARBIN, JIXI, MISHAN, as_
from tests.unit.members.fakes import FakeMembersUnitOfWork

CITY, COUNTY = as_(Role.CITY_ADMIN), as_(Role.COUNTY_ADMIN, MISHAN)
EDUCATION = RegisterDepartment("jx-education-bureau", "鸡西市教育局", JIXI, "0467-1", "ZWLD-7")


class FakeDepartments:
    """department rows by id; the code is unique as in the table."""

    def __init__(self) -> None:
        self.rows: dict[UUID, Department] = {}

    async def get_in_scope(
        self, department_id: UUID, scope: str, *, lock: bool = False
    ) -> Department | None:
        d = self.rows.get(department_id)
        return d if d and d.region_code.startswith(scope_prefix(scope)) else None

    async def add(self, d: Department) -> None:
        if any(x.code == d.code for x in self.rows.values()):
            raise Conflict("该代码已被其他承办单位使用")
        self.rows[d.id] = d

    async def save(self, d: Department) -> None:
        self.rows[d.id] = d


@pytest.fixture
def departments(fake: FakeMembersUnitOfWork) -> FakeDepartments:
    fake.departments = FakeDepartments()  # type: ignore[attr-defined]
    return fake.departments  # type: ignore[attr-defined,no-any-return]


async def test_an_office_registers_a_department_of_its_area_and_announces_it(
    fake: FakeMembersUnitOfWork,
    departments: FakeDepartments,
    uow: MembersUnitOfWork,
    clock: FixedClock,
) -> None:
    d, created = await register_department(EDUCATION, principal=CITY, uow=uow, clock=clock)
    assert created
    assert departments.rows[d.id].name == "鸡西市教育局"
    assert fake.published_types() == ["members.department.registered.v1"]
    event = fake.published[0]
    assert (event.code, event.name, event.platform_id) == (  # type: ignore[attr-defined]
        "jx-education-bureau",
        "鸡西市教育局",
        "ZWLD-7",
    )


async def test_a_replayed_idempotency_key_gives_the_first_department_once(
    fake: FakeMembersUnitOfWork,
    departments: FakeDepartments,
    uow: MembersUnitOfWork,
    clock: FixedClock,
) -> None:
    first, _ = await register_department(
        EDUCATION, principal=CITY, uow=uow, clock=clock, idempotency_key="k1"
    )
    again, created = await register_department(
        EDUCATION, principal=CITY, uow=uow, clock=clock, idempotency_key="k1"
    )
    assert (again.id, created) == (first.id, False)
    assert len(departments.rows) == 1
    assert len(fake.published) == 1


async def test_a_second_department_with_the_same_code_is_a_conflict(
    departments: FakeDepartments, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    await register_department(EDUCATION, principal=CITY, uow=uow, clock=clock)
    with pytest.raises(Conflict):
        await register_department(
            replace(EDUCATION, name="另一个教育局"), principal=CITY, uow=uow, clock=clock
        )


@pytest.mark.parametrize(
    ("principal", "region"),
    [(CITY, HARBIN), (COUNTY, JIXI), (as_(Role.MEMBER), JIXI)],
    ids=["another city", "the city above a county", "a member"],
)
async def test_no_one_registers_a_department_outside_their_office(
    departments: FakeDepartments,
    uow: MembersUnitOfWork,
    clock: FixedClock,
    principal: object,
    region: str,
) -> None:
    with pytest.raises(Forbidden):
        await register_department(
            replace(EDUCATION, region_code=region),
            principal=principal,  # type: ignore[arg-type]
            uow=uow,
            clock=clock,
        )
    assert departments.rows == {}


async def test_a_changed_name_is_saved_and_announced_and_an_unchanged_one_is_not(
    fake: FakeMembersUnitOfWork,
    departments: FakeDepartments,
    uow: MembersUnitOfWork,
    clock: FixedClock,
) -> None:
    d, _ = await register_department(EDUCATION, principal=CITY, uow=uow, clock=clock)
    renamed = UpdateDepartment(d.id, DepartmentChanges(name="鸡西市教育体育局", contact=None))
    changed = await update_department(renamed, principal=CITY, uow=uow, clock=clock)
    assert (changed.name, changed.contact, changed.platform_id) == (
        "鸡西市教育体育局",
        None,
        "ZWLD-7",
    )
    await update_department(renamed, principal=CITY, uow=uow, clock=clock)
    assert fake.published_types() == [
        "members.department.registered.v1",
        "members.department.updated.v1",
    ]


async def test_another_citys_department_is_not_found(
    departments: FakeDepartments, uow: MembersUnitOfWork, clock: FixedClock
) -> None:
    d, _ = await register_department(EDUCATION, principal=CITY, uow=uow, clock=clock)
    with pytest.raises(NotFound):
        await update_department(
            UpdateDepartment(d.id, DepartmentChanges(name="x")),
            principal=as_(Role.CITY_ADMIN, HARBIN),
            uow=uow,
            clock=clock,
        )
