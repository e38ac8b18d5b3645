"""Must-visit occasions (八必访) declared here: nos. 1-4 by staff, no. 8 by the festival calendar.

Each occasion names the sectors and regions it concerns; the visits service opens an obligation
per affected member. Nos. 5-7 come from the liaison roster, not from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from uuid import UUID

from shared.errors import InvalidInput
from shared.regions import scope_prefix

# China keeps one zone without daylight saving (UTC+8 since 1991), so a fixed offset is exact
# and needs no tz database in the image.
CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
CALENDAR = "festival-calendar"  # who declares festivals (the `declared_by` of no. 8)


class OccasionKind(StrEnum):
    LEADER_SPEECH = "leader_speech"  # 1. an important speech or instruction
    CONGRESS_CLOSED = "congress_closed"  # 2. a party congress or the two sessions closed
    POLICY_ISSUED = "policy_issued"  # 3. a policy closely related to the sector
    PLENARY_UPCOMING = "plenary_upcoming"  # 4. before the provincial plenary session
    SECTOR_FESTIVAL = "sector_festival"  # 8. the sector's day


# What happened already (declared after the fact) and what is still ahead (declared before).
_AFTER_THE_FACT = frozenset(
    {OccasionKind.LEADER_SPEECH, OccasionKind.CONGRESS_CLOSED, OccasionKind.POLICY_ISSUED}
)
_AHEAD = frozenset({OccasionKind.PLENARY_UPCOMING, OccasionKind.SECTOR_FESTIVAL})


@dataclass(frozen=True)
class Declaration:
    """What staff declare: kind, title, date, and the sectors and regions it concerns."""

    kind: OccasionKind
    title: str
    occurs_on: date
    sector_codes: tuple[str, ...]
    region_codes: tuple[str, ...]


@dataclass(frozen=True)
class Occasion:
    id: UUID
    kind: OccasionKind
    title: str
    occurs_on: date
    sector_codes: tuple[str, ...]
    region_codes: tuple[str, ...]
    declared_at: datetime
    declared_by: str
    festival_key: str | None = None

    @property
    def region_code(self) -> str:
        """The tenant of its events: the narrowest region covering all it concerns."""
        return covering_region(self.region_codes)


@dataclass(frozen=True, order=True)
class Festival:
    """A sector's day in the yearly calendar (Teachers' Day is education's 09-10)."""

    sector_code: str
    name: str
    month: int
    day: int


def local_date(at: datetime) -> date:
    """The calendar date in China at `at` (the clock is UTC; people live in UTC+8)."""
    return at.astimezone(CHINA_TIME).date()


def normalise_regions(codes: Iterable[str]) -> tuple[str, ...]:
    """Sorted, without repeats, and without codes another listed code already covers."""
    unique = set(codes)
    return tuple(
        sorted(
            c for c in unique if not any(o != c and c.startswith(scope_prefix(o)) for o in unique)
        )
    )


def covering_region(codes: Iterable[str]) -> str:
    """The narrowest province, city or county whose area holds every one of `codes`."""
    listed = set(codes)
    if len(listed) == 1:
        return listed.pop()
    for width, padding in ((4, "00"), (2, "0000")):
        heads = {c[:width] for c in listed}
        if len(heads) == 1:
            return heads.pop() + padding
    raise InvalidInput("an occasion concerns regions of one province only")


def check_timing(kind: OccasionKind, occurs_on: date, today: date) -> None:
    if kind in _AFTER_THE_FACT and occurs_on > today:
        raise InvalidInput(f"a {kind.value} occasion is declared after it happened")
    if kind in _AHEAD and occurs_on < today:
        raise InvalidInput(f"a {kind.value} occasion is declared before it happens")


def declare(occasion_id: UUID, d: Declaration, *, by: str, at: datetime) -> Occasion:
    if d.kind is OccasionKind.SECTOR_FESTIVAL:
        raise InvalidInput("sector festivals come from the festival calendar")
    title = " ".join(d.title.split())
    if not title:
        raise InvalidInput("title must not be blank")
    if not d.sector_codes or not d.region_codes:
        raise InvalidInput("an occasion concerns at least one sector and one region")
    check_timing(d.kind, d.occurs_on, local_date(at))
    return Occasion(
        id=occasion_id,
        kind=d.kind,
        title=title,
        occurs_on=d.occurs_on,
        sector_codes=tuple(sorted(set(d.sector_codes))),
        region_codes=normalise_regions(d.region_codes),
        declared_at=at,
        declared_by=by,
    )


def next_occurrence(month: int, day: int, today: date) -> date | None:
    """The festival's next date on or after `today`; 29 Feb waits for a leap year (≤ 8 years).

    None for a day no calendar has (31 Apr).
    """
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def due_festivals(
    festivals: Iterable[Festival], today: date, lead_days: int
) -> list[tuple[Festival, date]]:
    """Festivals whose next date falls within `lead_days` from `today` (both ends included)."""
    horizon = today + timedelta(days=lead_days)
    due = []
    for festival in sorted(festivals):
        occurs_on = next_occurrence(festival.month, festival.day, today)
        if occurs_on is not None and occurs_on <= horizon:
            due.append((festival, occurs_on))
    return due


def festival_key(festival: Festival, occurs_on: date) -> str:
    """One declaration per sector, festival and year, whichever replica gets there first."""
    return f"{festival.sector_code}/{occurs_on.year}/{festival.name}"


def festival_occasion(
    occasion_id: UUID, festival: Festival, occurs_on: date, *, at: datetime, province: str
) -> Occasion:
    """A sector's festival concerns the sector's members across the whole deployment."""
    return Occasion(
        id=occasion_id,
        kind=OccasionKind.SECTOR_FESTIVAL,
        title=festival.name,
        occurs_on=occurs_on,
        sector_codes=(festival.sector_code,),
        region_codes=(province,),
        declared_at=at,
        declared_by=CALENDAR,
        festival_key=festival_key(festival, occurs_on),
    )
