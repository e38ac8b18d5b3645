"""The roster's rules: valid personal data, who sees what, changes, quota and the one unit."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from services.members.domain import liaisons as domain
from services.members.domain.liaisons import (
    InvalidPersonalData,
    Liaison,
    LiaisonChanges,
    LiaisonStatus,
    Sight,
)
from services.members.domain.members import LiaisonQuota, Member, MemberStatus
from shared.auth import Principal, Role
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound

AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
MISHAN, HULIN, JIXI, HARBIN, PROVINCE = "230382", "230381", "230300", "230100", "230000"
# Check characters computed by hand from GB 11643 (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2).
VALID_IDS = ["11010519491231002X", "230382198506123455", "230302199001011231"]
QUOTA = LiaisonQuota(minimum=8, target=10, maximum=15)


def _member(region: str = MISHAN, status: MemberStatus = MemberStatus.ACTIVE) -> Member:
    return Member(uuid4(), "陈委员", "education", "cppcc-230300", region, status, AT)


def _liaison(member: Member, **personal: str) -> Liaison:
    data = domain.personal_data(**{"name": "李晓芳", "phone": "13812345678", **personal})
    return domain.link_liaison(
        uuid4(), member, data, consent_to_departments=False, linked=0, quota=QUOTA, at=AT
    )


def _as(role: Role, region: str = MISHAN, member_id: UUID | None = None) -> Principal:
    return Principal(f"test-{role.value}", role, region, member_id)


@pytest.mark.parametrize(
    ("phone", "clean"),
    [
        ("13812345678", "13812345678"),
        ("199 1234 5678", "19912345678"),
        ("+86 13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("0467-2345678", "0467-2345678"),
        ("010-12345678", "010-12345678"),
    ],
)
def test_mainland_mobiles_and_landlines_with_area_codes_are_accepted(
    phone: str, clean: str
) -> None:
    assert domain.clean_phone(phone) == clean


@pytest.mark.parametrize(
    "phone",
    ["12812345678", "1381234567", "138123456789", "0467 2345678", "４６７-2345678", "call me", ""],
)
def test_anything_else_is_not_a_phone_and_the_error_does_not_repeat_it(phone: str) -> None:
    with pytest.raises(InvalidPersonalData) as caught:
        domain.clean_phone(phone)
    assert "phone" in caught.value.detail
    assert not phone or phone not in caught.value.detail


@pytest.mark.parametrize("id_number", VALID_IDS)
def test_id_numbers_with_a_correct_checksum_are_accepted(id_number: str) -> None:
    assert domain.clean_id_number(id_number) == id_number


def test_a_lowercase_check_x_is_normalised_to_uppercase() -> None:
    assert domain.clean_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "id_number", ["110105194912310021", "230382198506123456", "230302199001011230"]
)
def test_a_wrong_check_character_is_refused_naming_the_field_but_not_the_value(
    id_number: str,
) -> None:
    with pytest.raises(InvalidPersonalData) as caught:
        domain.clean_id_number(id_number)
    assert caught.value.detail == "id_number fails the GB 11643 checksum"
    assert isinstance(caught.value, ValueError), "so Pydantic reports the field's location"


@pytest.mark.parametrize(
    "id_number", ["11010519491231002", "1101051949123100211", "X1010519491231002"]
)
def test_an_id_number_of_the_wrong_shape_is_refused(id_number: str) -> None:
    with pytest.raises(InvalidPersonalData, match="id_number must be 17 digits"):
        domain.clean_id_number(id_number)


def test_the_owning_member_sees_in_clear_and_offices_in_scope_see_masked() -> None:
    member = _member()
    liaison = _liaison(member)
    assert domain.sight(_as(Role.MEMBER, MISHAN, member.id), liaison) is Sight.FULL
    for role, scope in [
        (Role.COUNTY_ADMIN, MISHAN),
        (Role.CITY_ADMIN, JIXI),
        (Role.PROVINCE_ADMIN, PROVINCE),
        (Role.COMMITTEE_STAFF, JIXI),
    ]:
        assert domain.sight(_as(role, scope), liaison) is Sight.MASKED


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.MEMBER, MISHAN),  # another member
        (Role.CITY_ADMIN, HARBIN),
        (Role.COUNTY_ADMIN, HULIN),
        (Role.DEPARTMENT, JIXI),
        (Role.CONSTITUENT, MISHAN),
        (Role.DATA_PLATFORM, PROVINCE),
        (Role.AUDITOR, PROVINCE),
    ],
)
def test_everyone_else_is_told_the_liaison_does_not_exist(role: Role, scope: str) -> None:
    liaison = _liaison(_member())
    principal = _as(role, scope, uuid4() if role is Role.MEMBER else None)
    with pytest.raises(NotFound):
        domain.sight(principal, liaison)


def test_only_offices_may_reveal_and_special_committees_are_refused_openly() -> None:
    domain.may_reveal(_as(Role.CITY_ADMIN, JIXI))
    with pytest.raises(Forbidden):
        domain.may_reveal(_as(Role.COMMITTEE_STAFF, JIXI))


@pytest.mark.parametrize("reason", [None, "", "查看", "x" * 201])
def test_a_reveal_needs_a_reason_of_five_to_two_hundred_characters(reason: str | None) -> None:
    with pytest.raises(InvalidInput, match="reason"):
        domain.reveal_reason(reason)


def test_a_reveal_reason_must_not_itself_carry_personal_numbers() -> None:
    assert domain.reveal_reason("  回访 困难 情况核实 ") == "回访 困难 情况核实"
    with pytest.raises(InvalidInput, match="must not contain"):
        domain.reveal_reason("核实电话 13812345678 是否有效")


def test_special_committees_may_not_change_a_roster_but_its_member_and_offices_may() -> None:
    member = _member()
    liaison = _liaison(member)
    for principal in (_as(Role.MEMBER, MISHAN, member.id), _as(Role.COUNTY_ADMIN, MISHAN)):
        domain.sight(principal, liaison)
        domain.require_keeper(principal)
    staff = _as(Role.COMMITTEE_STAFF, JIXI)
    assert domain.sight(staff, liaison) is Sight.MASKED
    with pytest.raises(Forbidden):
        domain.require_keeper(staff)
    with pytest.raises(NotFound):
        domain.screen(_as(Role.DEPARTMENT, JIXI))


def test_linking_beyond_the_quota_maximum_is_a_conflict() -> None:
    member = _member()
    data = domain.personal_data("李晓芳", "13812345678")
    with pytest.raises(Conflict, match="at most 15"):
        domain.link_liaison(
            uuid4(), member, data, consent_to_departments=False, linked=15, quota=QUOTA, at=AT
        )


def test_a_liaison_takes_its_members_region_and_a_retired_member_links_none() -> None:
    assert _liaison(_member(HULIN)).region_code == HULIN
    with pytest.raises(Conflict):
        _liaison(_member(status=MemberStatus.RETIRED))


def test_a_change_reports_exactly_the_fields_that_changed() -> None:
    liaison = _liaison(_member(), workplace="密山市第一中学")
    changes = LiaisonChanges(phone="13987654321", name="李晓芳", consent_to_departments=True)
    updated, changed = domain.change_liaison(liaison, changes, at=AT)
    assert changed == ["phone", "consent_to_departments"]
    assert updated.personal.phone == "13987654321"
    assert updated.updated_at == AT


def test_sending_the_same_values_again_changes_nothing() -> None:
    liaison = _liaison(_member(), workplace="密山市第一中学")
    same = LiaisonChanges(name=" 李晓芳 ", phone="138 1234 5678", workplace="密山市第一中学")
    assert domain.change_liaison(liaison, same, at=AT) == (liaison, [])


def test_optional_fields_can_be_cleared() -> None:
    liaison = _liaison(_member(), workplace="密山市第一中学", id_number=VALID_IDS[1])
    cleared = LiaisonChanges(cleared=frozenset({"workplace", "id_number"}))
    updated, changed = domain.change_liaison(liaison, cleared, at=AT)
    assert changed == ["workplace", "id_number"]
    assert updated.personal.present() == ["name", "phone"]


def test_an_unlinked_liaison_can_be_neither_changed_unlinked_again_nor_reported_on() -> None:
    unlinked = domain.unlink_liaison(_liaison(_member()), at=AT)
    assert unlinked.status is LiaisonStatus.UNLINKED
    with pytest.raises(Conflict):
        domain.change_liaison(unlinked, LiaisonChanges(phone="13987654321"), at=AT)
    with pytest.raises(Conflict):
        domain.unlink_liaison(unlinked, at=AT)
    with pytest.raises(Conflict):
        domain.report_circumstance(uuid4(), unlinked, "hardship", "失业", by="x", at=AT)


def test_a_liaisons_repr_shows_its_personal_data_masked() -> None:
    liaison = _liaison(_member(), workplace="密山市第一中学", id_number=VALID_IDS[1])
    for text in (repr(liaison), str(liaison), repr(liaison.personal)):
        for secret in ("李晓芳", "13812345678", "密山市第一中学", VALID_IDS[1]):
            assert secret not in text
    assert "138****5678" in repr(liaison)


def test_a_member_sees_their_roster_in_clear_and_others_not_at_all() -> None:
    member = _member()
    assert domain.roster_sight(_as(Role.MEMBER, MISHAN, member.id), member) is Sight.FULL
    assert domain.roster_sight(_as(Role.COMMITTEE_STAFF, JIXI), member) is Sight.MASKED
    for stranger in (_as(Role.MEMBER, MISHAN, uuid4()), _as(Role.CITY_ADMIN, HARBIN)):
        with pytest.raises(NotFound):
            domain.roster_sight(stranger, member)


def test_masked_personal_data_hides_every_field() -> None:
    liaison = _liaison(_member(), workplace="密山市第一中学", id_number=VALID_IDS[1])
    masked = liaison.personal.masked()
    assert masked == domain.PersonalData("李*芳", "138****5678", "密山***", "230382********3455")
    assert liaison.display_name == "李*芳"


def _link_unit(
    current: domain.GrassrootsUnit | None,
    member: Member,
    name: str,
    kind: domain.UnitKind,
    region: str = MISHAN,
    address: str | None = None,
) -> domain.GrassrootsUnit | None:
    return domain.link_unit(
        current,
        member,
        unit_id=uuid4(),
        name=name,
        kind=kind,
        region_code=region,
        address=address,
        at=AT,
    )


def test_a_re_linked_unit_keeps_its_id_and_an_identical_one_changes_nothing() -> None:
    member = _member()
    first = _link_unit(None, member, "密山一中", "school")
    assert first is not None
    assert _link_unit(first, member, " 密山一中 ", "school", address="") is None
    moved = _link_unit(first, member, "兴凯湖农场", "farm", address="密山市")
    assert moved is not None
    assert (moved.id, moved.kind, moved.address) == (first.id, "farm", "密山市")


def test_a_unit_must_lie_inside_its_members_region() -> None:
    with pytest.raises(InvalidInput, match="inside the member's region"):
        _link_unit(None, _member(MISHAN), "虎林市某村", "village", region=HULIN)
