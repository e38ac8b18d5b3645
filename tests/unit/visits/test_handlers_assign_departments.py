"""Assigning (交办) to departments from the directory: a known department of the concern's
area, or a 422 in Chinese and nothing written; the read model follows members' events."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from services.visits.commands import AssignConcern
from services.visits.domain.concerns import Concern, Status
from services.visits.handlers import concerns as use
from services.visits.handlers.departments import department_changed
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import members as ev
from shared.errors import InvalidInput
from shared.kernel import FixedClock
from tests.unit.visits.fakes import NOW, TIMEZONE, TODAY, FakeVisitsUnitOfWork, staff

DUE = TODAY + timedelta(days=14)


def _accepted(fake: FakeVisitsUnitOfWork, region_code: str = "230382") -> Concern:
    member = fake.roster.add_member(region_code=region_code)
    concern = Concern(
        id=uuid4(),
        member_id=member.member_id,
        region_code=member.region_code,
        sector_code=member.sector_code,
        kind="problem",
        source="contact_record",
        title="学校供暖不足",
        body="b",
        visit_id=uuid4(),
        liaison_id=None,
        submitted_by="m",
        submitted_by_role="member",
        consent_to_share_identity=False,
        submitted_at=NOW,
        status=Status.ACCEPTED,
    )
    fake.concerns.saved[concern.id] = concern
    return concern


async def _assign(uow: VisitsUnitOfWork, concern: Concern, code: str) -> Concern:
    return await use.assign(
        AssignConcern(concern.id, code, DUE),
        principal=staff(),
        uow=uow,
        clock=FixedClock(NOW),
        timezone=TIMEZONE,
    )


@pytest.mark.parametrize(
    ("department_region", "concern_region"),
    [("230300", "230382"), ("230382", "230382"), ("230382", "230300")],
    ids=["the city's bureau, a county's concern", "the county's own", "a county's, the city's"],
)
async def test_a_department_of_the_concerns_area_takes_it(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, department_region: str, concern_region: str
) -> None:
    fake.departments.add("dept-x", "某某局", department_region)
    assigned = await _assign(uow, _accepted(fake, concern_region), "dept-x")
    assert (assigned.status, assigned.department_code) == (Status.ASSIGNED, "dept-x")
    assert len(fake.dispatches.rows) == 1


async def test_an_unknown_department_is_refused_in_chinese_and_nothing_is_written(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    concern = _accepted(fake)
    with pytest.raises(InvalidInput, match="承办单位不存在"):
        await _assign(uow, concern, "jixi-education-bureau-typo")
    assert fake.concerns.saved[concern.id].status is Status.ACCEPTED
    assert (fake.commits, fake.dispatches.rows, fake.published) == (0, {}, [])


@pytest.mark.parametrize("department_region", ["230381", "230100", "230102"])
async def test_another_areas_department_is_refused_in_chinese(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork, department_region: str
) -> None:
    fake.departments.add("elsewhere", "别处的局", department_region)
    with pytest.raises(InvalidInput, match="不负责此事项所在地区"):
        await _assign(uow, _accepted(fake, "230382"), "elsewhere")
    assert fake.commits == 0


async def test_a_registered_department_becomes_assignable_and_a_rename_is_kept(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    department_id = uuid4()
    registered = ev.DepartmentRegisteredV1(
        occurred_at=NOW,
        region_code="230300",
        department_id=department_id,
        code="jx-education-bureau",
        name="鸡西市教育局",
    )
    await department_changed(registered, uow)
    assigned = await _assign(uow, _accepted(fake), "jx-education-bureau")
    assert assigned.department_code == "jx-education-bureau"
    renamed = ev.DepartmentUpdatedV1(**{**registered.model_dump(), "name": "鸡西市教育体育局"})
    await department_changed(renamed, uow)
    found = await fake.departments.by_code("jx-education-bureau")
    assert found is not None
    assert found.name == "鸡西市教育体育局"
