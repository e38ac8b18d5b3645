"""Single cells of an import file: phones, resident ID numbers, yes/no, id lists."""

from __future__ import annotations

from datetime import date

import pytest

from services.members.importing import checks
from services.members.importing.synthetic import id_number

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13900000001", "13900000001"),
        ("139 0000 0001", "13900000001"),
        ("+86 139-0000-0001", "13900000001"),
        ("+8613900000001", "13900000001"),
        ("0467-2345678", "0467-2345678"),
        ("010-12345678", "010-12345678"),
    ],
)
def test_phones_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert checks.normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["1390000001", "12900000001", "139000000012", "04672345678", "１３９００００００01", ""],
)
def test_what_is_not_a_phone_number_is_refused(typed: str) -> None:
    assert checks.normalise_phone(typed) is None


def test_a_generated_id_number_passes_and_every_single_digit_change_fails() -> None:
    valid = id_number("230302", 42)
    assert checks.id_number_problem(valid, today=TODAY) is None
    for position in range(6, 17):
        digit = str((int(valid[position]) + 1) % 10)
        changed = valid[:position] + digit + valid[position + 1 :]
        assert checks.id_number_problem(changed, today=TODAY) is not None, position


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("11010519491231002X", None),  # the standard's own example
        ("11010519491231002Y", "must be 18 characters: 17 digits and a digit or X"),
        ("110105194912310021", "the check character does not match (GB 11643)"),
        ("110105194913310023", "the birth date inside it is not a date"),
        ("110105189912310021", "the birth date inside it is out of range"),
        ("1101051949123100", "must be 18 characters: 17 digits and a digit or X"),
    ],
)
def test_id_numbers_follow_gb_11643(value: str, reason: str | None) -> None:
    assert checks.id_number_problem(value, today=TODAY) == reason


def test_reasons_never_repeat_the_number() -> None:
    bad = "110105194912310021"
    assert bad not in (checks.id_number_problem(bad, today=TODAY) or "")


@pytest.mark.parametrize(("typed", "meaning"), [("是", True), ("Yes", True), ("0", False)])
def test_yes_and_no_in_either_language(typed: str, meaning: bool) -> None:
    assert checks.flag(typed) is meaning


def test_anything_else_is_not_a_yes_or_no() -> None:
    assert checks.flag("也许") is None


def test_id_lists_take_any_common_separator() -> None:
    assert checks.split_ids("m-1; m-2；m-3,m-4、 m-5 m-6") == [f"m-{i}" for i in range(1, 7)]
