"""Regions, sectors, committees and special committees: the frame the directory hangs on."""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import InvalidInput

REGION_LEVELS = {6: None, 9: "township", 12: "community"}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str | None


@dataclass(frozen=True)
class Sector:
    code: str
    name: str
    active: bool
    festivals: list[tuple[str, int, int]]


@dataclass(frozen=True)
class Committee:
    code: str
    name: str
    level: str
    region_code: str


@dataclass(frozen=True)
class SpecialCommittee:
    code: str
    name: str
    committee_code: str


def region_level(code: str) -> str:
    """Level from the code's shape: 23xxxx province/city/county by trailing zeros; 9/12 digits
    are township and community (statistical division codes extend GB/T 2260)."""
    if len(code) == 9:
        return "township"
    if len(code) == 12:
        return "community"
    if len(code) != 6:
        raise InvalidInput("a region code has 6, 9 or 12 digits")
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def parent_code(code: str) -> str | None:
    level = region_level(code)
    return {
        "province": None,
        "city": code[:2] + "0000",
        "county": code[:4] + "00",
        "township": code[:6],
        "community": code[:9],
    }[level]


def committee_level(region: Region) -> str:
    if region.level not in ("province", "city", "county"):
        raise InvalidInput("committees sit at province, city or county level")
    return region.level
