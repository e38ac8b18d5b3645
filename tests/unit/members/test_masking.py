"""Masking: what someone who may know a liaison exists, but not who they are, is shown."""

from __future__ import annotations

import pytest

from services.members.domain.masking import (
    mask_id_number,
    mask_name,
    mask_phone,
    mask_workplace,
)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张*丰"), ("李四", "李*"), ("欧阳娜娜", "欧**娜"), ("王", "*"), ("", "*")],
)
def test_a_name_keeps_only_its_first_and_last_characters(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_a_masked_name_of_two_or_more_characters_never_contains_the_whole_name() -> None:
    for name in ("李四", "张三丰", "欧阳娜娜", "阿卜杜热西提·买买提"):
        assert name not in mask_name(name)


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+8613812345678", "138****5678"),
        ("0467-2345678", "046****5678"),
        ("12345", "***45"),
    ],
)
def test_a_phone_keeps_its_prefix_and_last_four_digits_only(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_an_id_number_keeps_its_region_and_last_four_characters() -> None:
    assert mask_id_number("230382198506123455") == "230382********3455"
    assert mask_id_number("123") == "***"


def test_a_workplace_keeps_its_first_two_characters() -> None:
    assert mask_workplace("密山市第一中学") == "密山***"
    assert mask_workplace("") == ""
