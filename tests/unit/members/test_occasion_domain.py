"""The pure rules of occasions: China's calendar date, festival dates and windows, regions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import get_args
from uuid import uuid4

import pytest

from services.members.domain.occasions import (
    Declaration,
    Festival,
    OccasionKind,
    check_timing,
    covering_region,
    declare,
    due_festivals,
    festival_occasion,
    local_date,
    next_occurrence,
    normalise_regions,
)
from shared.contracts import members as contracts
from shared.errors import InvalidInput

TEACHERS_DAY = Festival("education", "教师节", 9, 10)
NEW_YEAR = Festival("economy", "新年座谈日", 1, 2)
LEAP_DAY = Festival("sports", "闰日", 2, 29)


def test_the_domain_knows_exactly_the_kinds_the_contract_carries() -> None:
    assert {k.value for k in OccasionKind} == set(get_args(contracts.OccasionKind))


@pytest.mark.parametrize(
    ("utc", "china"),
    [
        (datetime(2026, 9, 2, 15, 59, tzinfo=UTC), date(2026, 9, 2)),
        (datetime(2026, 9, 2, 16, 0, tzinfo=UTC), date(2026, 9, 3)),
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_the_local_date_is_the_date_in_china(utc: datetime, china: date) -> None:
    assert local_date(utc) == china


@pytest.mark.parametrize(
    ("month", "day", "today", "expected"),
    [
        (9, 10, date(2026, 9, 4), date(2026, 9, 10)),
        (9, 10, date(2026, 9, 10), date(2026, 9, 10)),
        (9, 10, date(2026, 9, 11), date(2027, 9, 10)),
        (1, 2, date(2026, 12, 28), date(2027, 1, 2)),
        (2, 29, date(2026, 3, 1), date(2028, 2, 29)),
        (2, 29, date(2096, 3, 1), date(2104, 2, 29)),  # 2100 is no leap year
        (4, 31, date(2026, 1, 1), None),
    ],
)
def test_a_festivals_next_date_is_this_year_or_a_later_one(
    month: int, day: int, today: date, expected: date | None
) -> None:
    assert next_occurrence(month, day, today) == expected


def test_a_festival_is_due_from_lead_days_before_until_its_day() -> None:
    calendar = [TEACHERS_DAY, NEW_YEAR]
    assert due_festivals(calendar, date(2026, 9, 2), 7) == []
    assert due_festivals(calendar, date(2026, 9, 3), 7) == [(TEACHERS_DAY, date(2026, 9, 10))]
    assert due_festivals(calendar, date(2026, 9, 10), 7) == [(TEACHERS_DAY, date(2026, 9, 10))]
    assert due_festivals(calendar, date(2026, 9, 11), 7) == []
    assert due_festivals(calendar, date(2026, 9, 10), 0) == [(TEACHERS_DAY, date(2026, 9, 10))]


def test_the_window_crosses_the_new_year() -> None:
    assert due_festivals([NEW_YEAR, LEAP_DAY], date(2026, 12, 28), 7) == [
        (NEW_YEAR, date(2027, 1, 2))
    ]


def test_a_festival_occasion_is_province_wide_and_keyed_by_its_year() -> None:
    at = datetime(2026, 12, 28, tzinfo=UTC)
    occasion = festival_occasion(uuid4(), NEW_YEAR, date(2027, 1, 2), at=at, province="230000")
    assert occasion.kind is OccasionKind.SECTOR_FESTIVAL
    assert occasion.festival_key == "economy/2027/新年座谈日"
    assert (occasion.sector_codes, occasion.region_codes) == (("economy",), ("230000",))
    assert occasion.region_code == "230000"


@pytest.mark.parametrize(
    ("codes", "covering"),
    [
        (["230382"], "230382"),
        (["230381", "230382"], "230300"),
        (["230300", "230382"], "230300"),
        (["230100", "230382"], "230000"),
        (["230000"], "230000"),
    ],
)
def test_an_occasions_tenant_is_the_narrowest_region_holding_all_it_concerns(
    codes: list[str], covering: str
) -> None:
    assert covering_region(codes) == covering


def test_regions_of_two_provinces_have_no_tenant() -> None:
    with pytest.raises(InvalidInput):
        covering_region(["230300", "110000"])


def test_regions_are_listed_once_and_without_those_already_covered() -> None:
    assert normalise_regions(["230382", "230300", "230382", "230100"]) == ("230100", "230300")
    assert normalise_regions(["230000", "230382"]) == ("230000",)
    assert normalise_regions(["230382", "230381"]) == ("230381", "230382")


@pytest.mark.parametrize(
    ("kind", "occurs_on", "allowed"),
    [
        (OccasionKind.LEADER_SPEECH, date(2026, 9, 4), True),
        (OccasionKind.LEADER_SPEECH, date(2026, 9, 5), False),
        (OccasionKind.POLICY_ISSUED, date(2025, 1, 1), True),
        (OccasionKind.CONGRESS_CLOSED, date(2026, 9, 5), False),
        (OccasionKind.PLENARY_UPCOMING, date(2026, 9, 4), True),
        (OccasionKind.PLENARY_UPCOMING, date(2026, 9, 3), False),
    ],
)
def test_what_happened_is_declared_after_it_and_the_plenary_before_it(
    kind: OccasionKind, occurs_on: date, allowed: bool
) -> None:
    today = date(2026, 9, 4)
    if allowed:
        check_timing(kind, occurs_on, today)
    else:
        with pytest.raises(InvalidInput):
            check_timing(kind, occurs_on, today)


def _declaration(**overrides: object) -> Declaration:
    values: dict[str, object] = {
        "kind": OccasionKind.LEADER_SPEECH,
        "title": "  学习  重要讲话 ",
        "occurs_on": date(2026, 9, 1),
        "sector_codes": ("education", "agriculture", "education"),
        "region_codes": ("230382", "230300"),
        **overrides,
    }
    return Declaration(**values)  # type: ignore[arg-type]


def test_a_declaration_is_tidied_into_an_occasion() -> None:
    at = datetime(2026, 9, 4, 2, tzinfo=UTC)
    occasion = declare(uuid4(), _declaration(), by="admin-1", at=at)
    assert occasion.title == "学习 重要讲话"
    assert occasion.sector_codes == ("agriculture", "education")
    assert occasion.region_codes == ("230300",)
    assert (occasion.declared_by, occasion.declared_at) == ("admin-1", at)


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": OccasionKind.SECTOR_FESTIVAL},
        {"title": "   "},
        {"sector_codes": ()},
        {"region_codes": ()},
    ],
)
def test_a_declaration_that_cannot_be_an_occasion_is_refused(overrides: dict[str, object]) -> None:
    with pytest.raises(InvalidInput):
        declare(uuid4(), _declaration(**overrides), by="a", at=datetime(2026, 9, 4, tzinfo=UTC))
