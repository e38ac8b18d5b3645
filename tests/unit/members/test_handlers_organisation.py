"""Adding regions, sectors with their festivals, committees and special committees."""

from __future__ import annotations

import pytest

from services.members.domain.organisation import Committee, Region, SpecialCommittee
from services.members.handlers.organisation import (
    AddCommittee,
    AddRegion,
    AddSector,
    AddSpecialCommittee,
    SetFestivals,
    add_committee,
    add_region,
    add_sector,
    add_special_committee,
    set_festivals,
)
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Role
from shared.errors import Forbidden, InvalidInput, NotFound
from tests.unit.members.conftest import HARBIN, JIXI, MISHAN, PROVINCE, as_
from tests.unit.members.fakes import FakeMembersUnitOfWork

ADMIN = as_(Role.CITY_ADMIN)
PROVINCE_ADMIN = as_(Role.PROVINCE_ADMIN, PROVINCE)


async def test_an_office_adds_a_township_under_its_county(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork
) -> None:
    region = await add_region(AddRegion("230382100", " 密山镇 "), principal=ADMIN, uow=uow)
    assert region == Region("230382100", "密山镇", "township", MISHAN)
    assert fake.organisation.regions["230382100"] == region
    assert fake.committed


@pytest.mark.parametrize("code", ["230100", "230101"])
async def test_regions_outside_the_area_are_refused(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork, code: str
) -> None:
    with pytest.raises(Forbidden):
        await add_region(AddRegion(code, "某地"), principal=ADMIN, uow=uow)
    assert not fake.committed


async def test_only_the_province_keeps_the_sectors_and_their_festivals(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork
) -> None:
    cmd = AddSector("veterans", "退役军人界", (("八一建军节", 8, 1),))
    with pytest.raises(Forbidden):
        await add_sector(cmd, principal=ADMIN, uow=uow)
    assert not fake.committed
    await add_sector(cmd, principal=PROVINCE_ADMIN, uow=uow)
    assert fake.organisation.sectors["veterans"] == "退役军人界"
    assert fake.organisation.festivals["veterans"] == [("八一建军节", 8, 1)]


async def test_festivals_of_an_unknown_sector_are_not_found(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork
) -> None:
    with pytest.raises(NotFound):
        await set_festivals(SetFestivals("nobody", ()), principal=PROVINCE_ADMIN, uow=uow)
    await set_festivals(
        SetFestivals("education", (("教师节", 9, 10),)), principal=PROVINCE_ADMIN, uow=uow
    )
    assert fake.organisation.festivals == {"education": [("教师节", 9, 10)]}


async def test_a_festival_name_given_twice_is_invalid_input_and_nothing_is_written(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork
) -> None:
    twice = (("教师节", 9, 10), ("教师节", 1, 1))
    with pytest.raises(InvalidInput):
        await add_sector(AddSector("teachers", "教师界", twice), principal=PROVINCE_ADMIN, uow=uow)
    with pytest.raises(InvalidInput):
        await set_festivals(SetFestivals("education", twice), principal=PROVINCE_ADMIN, uow=uow)
    assert "teachers" not in fake.organisation.sectors
    assert "education" not in fake.organisation.festivals
    assert not fake.committed


async def test_a_committee_takes_its_level_from_its_region(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork
) -> None:
    committee = await add_committee(
        AddCommittee("cppcc-230382", "政协密山市委员会", MISHAN), principal=ADMIN, uow=uow
    )
    assert committee == Committee("cppcc-230382", "政协密山市委员会", "county", MISHAN)
    assert fake.organisation.committees["cppcc-230382"] == committee
    with pytest.raises(InvalidInput):
        await add_committee(AddCommittee("x", "某委员会", "230399"), principal=ADMIN, uow=uow)


async def test_a_special_committee_belongs_to_a_committee_in_the_area(
    fake: FakeMembersUnitOfWork, uow: MembersUnitOfWork
) -> None:
    fake.organisation.committees["cppcc-230100"] = Committee("cppcc-230100", "哈", "city", HARBIN)
    with pytest.raises(InvalidInput):
        await add_special_committee(
            AddSpecialCommittee("hrb-jk", "教科委", "cppcc-230100"), principal=ADMIN, uow=uow
        )
    special = await add_special_committee(
        AddSpecialCommittee("jixi-jk", "教科卫体委员会", "cppcc-230300"), principal=ADMIN, uow=uow
    )
    assert fake.organisation.specials == {"jixi-jk": special}
    assert special == SpecialCommittee("jixi-jk", "教科卫体委员会", f"cppcc-{JIXI}")
