"""Must-visit obligations (八必访): when each occasion's visit is due, and who hears if not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.contracts.visits import ObligationStatus, OccasionKind
from shared.regions import scope_prefix

CIRCUMSTANCE_OCCASIONS: dict[str, OccasionKind] = {
    "life_change": "liaison_life_change",
    "request": "liaison_request",
    "hardship": "liaison_hardship",
}
CIRCUMSTANCE_TITLES = {
    "liaison_life_change": "联系人工作生活发生较大变化",
    "liaison_request": "联系人提出重要诉求或建议",
    "liaison_hardship": "联系人遇到重大困难",
}
OWED: tuple[ObligationStatus, ...] = ("open", "overdue", "escalated")


@dataclass(frozen=True)
class DueRules:
    """Days from the occasion's date to the visit's due date, per occasion (settings).

    An occasion entered after its date (a city catching up its records) gives members their
    whole window from the day it was entered: they could not have known of it before, and a
    window that closed before anyone saw it would only produce escalations nobody could avoid.
    The plenary is the exception: its date is the deadline (the visit is for before it), so one
    entered after it is due the day it was entered.

    `from_entry=False` counts every window from the occasion's own date: for loading history
    whose contacts are recorded with their own (past) dates too, as the demo province does.
    """

    days: dict[str, int]
    from_entry: bool = True

    def due_on(
        self, kind: OccasionKind, occasion_date: date, entered_on: date | None = None
    ) -> date:
        late_entry = entered_on if self.from_entry and entered_on else occasion_date
        start = max(occasion_date, late_entry)
        if kind == "plenary_upcoming":
            return start
        return start + timedelta(days=self.days[kind])


@dataclass(frozen=True)
class Escalation:
    level: int
    to: str


def next_escalation(
    *,
    level: int,
    due_on: date,
    today: date,
    after_days: int,
    special_committee_code: str | None,
    region_code: str,
) -> Escalation | None:
    """member → guiding special committee → city office, each `after_days` past the due date.

    A member with no special committee goes straight to the city office, and that is the end.
    """
    city_office = region_code[:4] + "00"
    if level >= 2 or (level == 1 and special_committee_code is None):
        return None
    if today <= due_on + timedelta(days=after_days * (level + 1)):
        return None
    if level == 0 and special_committee_code is not None:
        return Escalation(1, special_committee_code)
    return Escalation(2, city_office)


def scope_patterns(region_codes: list[str]) -> list[str]:
    """LIKE patterns for the regions an occasion concerns (a province covers 23%)."""
    return [scope_prefix(code) + "%" for code in region_codes]


@dataclass(frozen=True)
class SweepRun:
    """What one pass of the sweep did, and when (operators read the last one of each trigger)."""

    trigger: str
    requested_by: str | None
    started_at: datetime
    finished_at: datetime
    overdue: int
    escalated: int
