"""KPI rules (pure): the local day of an instant, and a rate as numerator over denominator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

# The programme runs in China: a fact belongs to the Beijing-time day it happened on.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_day(at: datetime) -> date:
    return at.astimezone(LOCAL_TZ).date()


@dataclass(frozen=True)
class Rate:
    """Every KPI rate states its numerator and denominator; no value when nothing is owed."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        if self.denominator == 0:
            return None
        return round(self.numerator / self.denominator, 4)


# rate name -> (numerator count, denominator count); the counts are the views' column names.
RATES: dict[str, tuple[str, str]] = {
    # 必访履约率: obligations fulfilled by their due date ÷ obligations due in the period (an
    # obligation is due once its due date has passed; it counts in the period holding that date).
    "compliance": ("obligations_fulfilled_on_time", "obligations_due"),
    # 必访完成率: obligations fulfilled at all (on time or late) ÷ obligations due in the period.
    "fulfilment_rate": ("obligations_fulfilled", "obligations_due"),
    # 联系覆盖率: active liaisons reached in the period ÷ active liaisons (at the period's end).
    "coverage": ("liaisons_contacted", "liaisons_active"),
    # 办复率: concerns replied ÷ concerns assigned (交办).
    "reply_rate": ("concerns_replied", "concerns_assigned"),
    # 按时办复率: replies (latest round) on time ÷ concerns replied.
    "on_time_reply_rate": ("concerns_replied_on_time", "concerns_replied"),
    # 解决率: concerns resolved ÷ concerns assigned.
    "resolution_rate": ("concerns_resolved", "concerns_assigned"),
    # 满意率: ratings of 4-5 (latest round) ÷ concerns rated.
    "satisfaction_rate": ("concerns_satisfied", "concerns_rated"),
    # 办结率: concerns handled (replied, closed, rejected or merged) ÷ concerns collected.
    "handled_rate": ("concerns_handled", "concerns_collected"),
}


def rates(counts: dict[str, int]) -> dict[str, Rate]:
    return {name: Rate(counts.get(n, 0), counts.get(d, 0)) for name, (n, d) in RATES.items()}
