"""The demo's directory, decided up front from a seed: members, units, liaisons, workstations.

Pure: the same seed and scale always give the same people in the same places, so a re-run
sends the same rows (imports are keyed by external id) and the same Idempotency-Keys.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass

from deploy.demo import people
from deploy.demo.places import (
    CITIES,
    JIXI,
    JIXI_WORKROOMS,
    JIXI_WORKSTATIONS,
    SECTORS,
    City,
    special_committee_of,
)


@dataclass(frozen=True)
class Scale:
    """How big a province to make. Jixi always has its real workrooms and workstations."""

    name: str
    jixi_members_per_county: int
    other_counties_per_city: int | None  # None: every county
    other_members_per_county: int
    liaisons_per_member: int
    routine_visits: tuple[int, int]  # per member and year, inclusive range
    other_workstations_per_county: int


SCALES = {
    "default": Scale("default", 20, 3, 4, 10, (3, 7), 1),
    "province": Scale("province", 200, None, 200, 10, (3, 7), 3),
}


@dataclass(frozen=True)
class Liaison:
    external_id: str
    name: str
    phone: str
    workplace: str
    consent: bool


@dataclass(frozen=True)
class Member:
    external_id: str
    name: str
    sector: str
    city: City
    region: str
    special_committee: str | None  # full code
    title: str
    unit_name: str
    unit_kind: str
    liaisons: tuple[Liaison, ...]


@dataclass(frozen=True)
class Workstation:
    external_id: str
    kind: str  # workstation | workroom
    name: str
    region: str
    locality: str
    head: str
    guide: str | None
    members: tuple[str, ...]  # external ids


@dataclass(frozen=True)
class Directory:
    cities: tuple[City, ...]
    members: tuple[Member, ...]
    workstations: tuple[Workstation, ...]

    def city_members(self, city: City) -> list[Member]:
        return [m for m in self.members if m.city is city]

    def city_workstations(self, city: City) -> list[Workstation]:
        return [w for w in self.workstations if w.region.startswith(city.code[:4])]


_UNIT = {
    "education": ("school", "中学"),
    "medicine_health": ("hospital", "医院"),
    "agriculture": ("village", "村"),
    "economy": ("enterprise", "企业"),
    "industry_commerce": ("enterprise", "商会"),
    "science_tech": ("office_building", "科技园"),
}
_WORKPLACE = {
    "education": "中学",
    "medicine_health": "卫生院",
    "agriculture": "农民专业合作社",
    "economy": "有限公司",
}


def build_directory(seed: int, scale: Scale) -> Directory:
    rng = random.Random(f"directory-{seed}")  # noqa: S311 (demo data, not secrets)
    sectors = [s for s, _ in SECTORS]
    weights = [w for _, w in SECTORS]
    members: list[Member] = []
    workstations: list[Workstation] = []
    phones = itertools.count(1)
    for city in CITIES:
        jixi = city.code == JIXI
        counties = city.counties if jixi else city.counties[: scale.other_counties_per_city]
        per_county = scale.jixi_members_per_county if jixi else scale.other_members_per_county
        city_members: list[Member] = []
        for county, county_name in counties:
            for _ in range(per_county):
                n = len(city_members) + 1
                sector = rng.choices(sectors, weights)[0]
                city_members.append(
                    _member(rng, city, county, county_name, n, sector, scale, phones)
                )
        members += city_members
        workstations += _workstations(rng, city, counties, city_members, scale)
    return Directory(CITIES, tuple(members), tuple(workstations))


def _member(
    rng: random.Random,
    city: City,
    county: str,
    county_name: str,
    n: int,
    sector: str,
    scale: Scale,
    phones: Iterator[int],
) -> Member:
    ext = f"DEMO-{city.short}-M{n:05d}"
    suffix = special_committee_of(sector)
    kind, word = _UNIT.get(sector, ("residential_compound", "小区"))
    workplace = _WORKPLACE.get(sector, "社区")
    liaisons = tuple(
        Liaison(
            external_id=f"{ext}-L{j:02d}",
            name=people.person_name(rng),
            phone=people.phone(next(phones)),
            workplace=f"{county_name}{rng.randint(1, 30)}号{workplace}" if j % 3 else "",
            consent=rng.random() < 0.4,
        )
        for j in range(1, scale.liaisons_per_member + 1)
    )
    return Member(
        external_id=ext,
        name=people.person_name(rng),
        sector=sector,
        city=city,
        region=county,
        special_committee=f"{city.committee_code}-{suffix}" if suffix else None,
        title="" if rng.random() < 0.7 else f"{county_name}某单位负责人",
        unit_name=f"{county_name}第{rng.randint(1, 40)}{word}",
        unit_kind=kind,
        liaisons=liaisons,
    )


def _workstations(
    rng: random.Random,
    city: City,
    counties: tuple[tuple[str, str], ...],
    members: list[Member],
    scale: Scale,
) -> list[Workstation]:
    """Jixi: its real 19 workrooms and 130 workstations; elsewhere a few per county."""
    if city.code == JIXI:
        kinds = ["workroom"] * JIXI_WORKROOMS + ["workstation"] * JIXI_WORKSTATIONS
    else:
        kinds = ["workstation"] * (scale.other_workstations_per_county * len(counties))
    out = []
    for k, kind in enumerate(kinds, start=1):
        county, county_name = counties[k % len(counties)]
        nearby = [m for m in members if m.region == county]
        attached = rng.sample(nearby, min(len(nearby), rng.randint(1, 3)))
        label = "委员工作室" if kind == "workroom" else "委员工作站"
        guide = rng.choice(["edu", "econ", "agri", "soc", "cult"])
        out.append(
            Workstation(
                external_id=f"DEMO-{city.short}-W{k:04d}",
                kind=kind,
                name=f"{county_name}第{k}{label}",
                region=county,
                locality=f"{county}{100 + k % 20:03d}",
                head=people.person_name(rng),
                guide=f"{city.committee_code}-{guide}",
                members=tuple(m.external_id for m in attached),
            )
        )
    return out
