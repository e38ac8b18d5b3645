"""The KPI query's cut of a period into whole years, whole months and edge days."""

from __future__ import annotations

import random
from datetime import date, timedelta

from services.reporting.views.kpi import EARLIEST, LATEST, Grain, Piece, exact_period, periods


def _days(pieces: list[Piece]) -> list[date]:
    """Every day the pieces cover, in order (a day twice if two pieces overlap)."""
    out: list[date] = []
    for grain, first, last in pieces:
        start = first
        while start <= last:
            end = {
                "d": start,
                "m": date(start.year + start.month // 12, start.month % 12 + 1, 1)
                - timedelta(days=1),
                "y": date(start.year, 12, 31),
            }[grain]
            out += [start + timedelta(days=i) for i in range((end - start).days + 1)]
            start = end + timedelta(days=1)
    return sorted(out)


def test_pieces_cover_the_period_exactly_once_and_never_exceed_the_coarsest_grain() -> None:
    rng = random.Random(3)
    for _ in range(400):
        lo = date(2023, 1, 1) + timedelta(days=rng.randint(0, 900))
        hi = lo + timedelta(days=rng.randint(0, 900))
        grains: tuple[Grain, ...] = ("d", "m", "y")
        for coarsest in grains:
            pieces = periods(lo, hi, coarsest)
            assert _days(pieces) == [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]
            assert len(pieces) <= 5
            allowed = {"d": "d", "m": "dm", "y": "dmy"}[coarsest]
            assert all(grain in allowed for grain, _, _ in pieces)


def test_whole_periods_use_their_own_grain() -> None:
    assert periods(date(2026, 1, 1), date(2026, 12, 31)) == [
        ("y", date(2026, 1, 1), date(2026, 1, 1))
    ]
    assert periods(date(2026, 1, 15), date(2026, 3, 31)) == [
        ("d", date(2026, 1, 15), date(2026, 1, 31)),
        ("m", date(2026, 2, 1), date(2026, 3, 1)),
    ]
    assert periods(date(2026, 3, 1), date(2026, 2, 28)) == []
    assert periods(EARLIEST, LATEST) == [("y", EARLIEST, date(LATEST.year, 1, 1))]
    assert exact_period(date(2026, 2, 1), date(2026, 2, 28)) == "m"
    assert exact_period(date(2026, 1, 1), date(2026, 12, 31)) == "y"
    assert exact_period(date(2026, 5, 4), date(2026, 5, 4)) == "d"
    assert exact_period(date(2026, 5, 4), date(2026, 5, 5)) is None
