"""Region codes and the scope rule (a scope covers every code that starts with its prefix)."""

from __future__ import annotations

import pytest

from shared.regions import in_scope, is_region_code, scope_prefix


@pytest.mark.parametrize(
    ("scope", "prefix"),
    [("230000", "23"), ("230300", "2303"), ("230381", "230381")],
    ids=["province", "city", "county"],
)
def test_scope_prefix_drops_the_trailing_zero_pairs_that_mean_everything_below(
    scope: str, prefix: str
) -> None:
    assert scope_prefix(scope) == prefix


@pytest.mark.parametrize(
    ("scope", "region_code"),
    [
        ("230000", "230000"),
        ("230000", "230300"),
        ("230000", "230381"),
        ("230300", "230300"),
        ("230300", "230381"),
        ("230381", "230381"),
    ],
)
def test_a_scope_sees_itself_and_every_region_below_it(scope: str, region_code: str) -> None:
    assert in_scope(scope, region_code)


@pytest.mark.parametrize(
    ("scope", "region_code"),
    [
        ("230300", "230100"),
        ("230100", "230300"),
        ("230300", "230000"),
        ("230381", "230300"),
        ("230381", "230382"),
        ("230000", "110000"),
        ("230000", "110101"),
    ],
    ids=[
        "city-not-another-city",
        "other-city-not-this-city",
        "city-not-its-province",
        "county-not-its-city",
        "county-not-a-sibling",
        "province-not-another-province",
        "province-not-a-county-elsewhere",
    ],
)
def test_a_scope_does_not_see_regions_outside_it(scope: str, region_code: str) -> None:
    assert not in_scope(scope, region_code)


@pytest.mark.parametrize(
    "code",
    ["", "23030", "2303000", "030000", "23030a", "23 300", "２３０３００", "230300\n"],
)
def test_malformed_codes_are_not_region_codes(code: str) -> None:
    assert not is_region_code(code)


@pytest.mark.parametrize("scope", ["", "23030", "030000", "2303000", "abcdef"])
def test_scope_prefix_rejects_a_scope_that_is_not_a_region_code(scope: str) -> None:
    with pytest.raises(ValueError, match="not a region code"):
        scope_prefix(scope)


@pytest.mark.parametrize("region_code", ["", "2303", "23038", "2303810", "23038x", "030381"])
def test_a_malformed_region_code_is_never_in_scope_even_under_the_province(
    region_code: str,
) -> None:
    assert not in_scope("230000", region_code)


def test_in_scope_rejects_a_malformed_scope_rather_than_matching_everything() -> None:
    with pytest.raises(ValueError, match="not a region code"):
        in_scope("", "230381")


@pytest.mark.parametrize("code", ["23０３８１", "2٣0381"], ids=["full-width", "arabic-indic"])
def test_region_codes_are_ascii_digits_only(code: str) -> None:
    assert not is_region_code(code)
    assert not in_scope("230000", code)
