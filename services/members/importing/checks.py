"""Formats of single cells: phones, resident ID numbers (GB 11643), codes, choices. Pure."""

from __future__ import annotations

import re
from datetime import date

EXTERNAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}")
SECTOR_CODE = re.compile(r"[a-z][a-z0-9_]{1,39}")
COMMITTEE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
REGION_CODE = re.compile(r"[1-9][0-9]{5}")
LOCALITY_CODE = re.compile(r"[1-9][0-9]{8}(?:[0-9]{3})?")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}-[1-9][0-9]{6,7}")
_ID_NUMBER = re.compile(r"[1-9][0-9]{16}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

YES = frozenset({"是", "同意", "yes", "y", "true", "1"})
NO = frozenset({"否", "不同意", "no", "n", "false", "0"})


def normalise_phone(value: str) -> str | None:
    """`139 0000 0001`, `+86-13900000001` → `13900000001`; landlines keep their area code."""
    compact = value.replace(" ", "").replace("\u3000", "")
    if compact.startswith("+86"):
        compact = compact[3:].lstrip("-")
    if _MOBILE.fullmatch(compact.replace("-", "")):
        return compact.replace("-", "")
    if _LANDLINE.fullmatch(compact):
        return compact
    return None


def id_number_problem(value: str, *, today: date) -> str | None:
    """Why `value` is not a valid 18-character resident ID number, or None (GB 11643-1999)."""
    if not _ID_NUMBER.fullmatch(value):
        return "must be 18 characters: 17 digits and a digit or X"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "the birth date inside it is not a date"
    if not date(1900, 1, 1) <= born <= today:
        return "the birth date inside it is out of range"
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return "the check character does not match (GB 11643)"
    return None


def id_check_character(first17: str) -> str:
    """The 18th character for 17 digits (what a generator of test data needs)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def flag(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in YES:
        return True
    if lowered in NO:
        return False
    return None


def split_ids(value: str) -> list[str]:
    """`m-1; m-2；m-3` → the ids (half- and full-width separators, commas and 、 too)."""
    return [part.strip() for part in re.split(r"[;；,，、\s]+", value) if part.strip()]
