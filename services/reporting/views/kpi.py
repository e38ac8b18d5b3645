"""KPI counts per group, read from the rollups the handlers maintain (member_kpi, region_kpi).

The period [from, to] is cut into whole years, whole months and the days left at its edges
(`periods`), so a province-wide year reads about a thousand pre-summed rows rather than
millions of facts. Regions, sectors and periods come from region_kpi; anything that needs the
member (grouping by member, special committee or workstation, or a member/committee filter)
from member_kpi joined to the member's current committee and workstations.

Two counts are not plain sums:
- liaisons_active at a day is a running sum of liaison_delta (+1 on a link, -1 on an unlink)
  over everything up to that day;
- liaisons_contacted counts distinct liaisons, so the rollup holds it per exact day, month and
  year; any other range counts the liaisons whose contact_days (every day each was reached,
  on the liaison's row) meet it.

Every column and key expression below is a constant of this module: request values only ever
travel as $n parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

from services.reporting.domain import LOCAL_TZ
from services.reporting.repository.rollup import METRICS
from shared.db.pool import DbConnection

GroupBy = Literal[
    "province",
    "city",
    "county",
    "sector",
    "special_committee",
    "workstation",
    "member",
    "day",
    "month",
    "year",
]
Grain = Literal["d", "m", "y"]
# Series: one row per period, keyed 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY'.
TIME_GRAINS: dict[str, Grain] = {"day": "d", "month": "m", "year": "y"}
_TIME_FORMATS = {"d": "YYYY-MM-DD", "m": "YYYY-MM", "y": "YYYY"}

_KEYS: dict[GroupBy | None, str] = {
    None: "'all'",
    "province": "left(f.region_code, 2) || '0000'",
    "city": "left(f.region_code, 4) || '00'",
    "county": "f.region_code",
    "sector": "f.sector_code",
    "special_committee": "coalesce(md.special_committee_code, '-')",
    "workstation": "coalesce(mw.workstation_id::text, '-')",
    "member": "f.member_id::text",
    "day": "to_char(f.period, 'YYYY-MM-DD')",
    "month": "to_char(f.period, 'YYYY-MM')",
    "year": "to_char(f.period, 'YYYY')",
}
_PER_MEMBER: set[GroupBy | None] = {"special_committee", "workstation", "member"}
_SUMMED = [m for m in METRICS if m not in ("liaison_delta", "liaisons_contacted")]
# Obligations are counted on their due date, and only once it has passed: one due in three
# days is not yet due, whatever period was asked for (so compliance never counts it early).
_OBLIGATIONS = tuple(m for m in _SUMMED if m.startswith("obligations_"))
_SUMS = ", ".join(f"sum(f.{m})::int AS {m}" for m in (*_SUMMED, "liaison_delta"))

# Open ends of a period: whole years, so they never leave days or months at the edges.
EARLIEST, LATEST = date(1900, 1, 1), date(8999, 12, 31)


@dataclass(frozen=True)
class KpiFilter:
    region_prefix: str
    sector_code: str | None = None
    member_id: UUID | None = None
    special_committee_code: str | None = None
    from_day: date | None = None
    to_day: date | None = None
    # The day the figures are for (the deployment's today): an obligation is due once its due
    # date is before it, and liaisons are active as of it. The API takes it from its clock.
    as_of: date = field(default_factory=lambda: today())


Counts = dict[str, int]
Piece = tuple[Grain, date, date]  # grain, first and last period start


def periods(lo: date, hi: date, coarsest: Grain = "y") -> list[Piece]:
    """[lo, hi] as whole years, whole months and days, never coarser than `coarsest`."""
    if lo > hi:
        return []
    if coarsest == "y":
        first_year = lo.year if (lo.month, lo.day) == (1, 1) else lo.year + 1
        last_year = hi.year if (hi.month, hi.day) == (12, 31) else hi.year - 1
        if first_year <= last_year:
            return [
                *periods(lo, date(first_year, 1, 1) - timedelta(days=1), "m"),
                ("y", date(first_year, 1, 1), date(last_year, 1, 1)),
                *periods(date(last_year + 1, 1, 1), hi, "m"),
            ]
        coarsest = "m"
    if coarsest == "m":
        first = lo if lo.day == 1 else _next_month(lo)
        after = _next_month(hi) if _next_month(hi) - timedelta(days=1) == hi else hi.replace(day=1)
        if first < after:
            last = _previous_month(after)
            return [
                *periods(lo, first - timedelta(days=1), "d"),
                ("m", first, last),
                *periods(after, hi, "d"),
            ]
    return [("d", lo, hi)]


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def _previous_month(d: date) -> date:
    return date(d.year - (d.month == 1), (d.month - 2) % 12 + 1, 1)


def exact_period(lo: date, hi: date) -> Grain | None:
    """The grain of which [lo, hi] is exactly one period, if any."""
    pieces = periods(lo, hi)
    if len(pieces) == 1 and pieces[0][1] == pieces[0][2]:
        return pieces[0][0]
    return None


def today() -> date:
    return datetime.now(LOCAL_TZ).date()


class _Query:
    """One SELECT over a rollup (or the liaisons), its WHERE built from the filter."""

    def __init__(self, flt: KpiFilter, group_by: GroupBy | None, *, per_member: bool) -> None:
        self.args: list[object] = []
        self.joins = ""
        self.where = [f"f.region_code LIKE {self.arg(flt.region_prefix)} || '%'"]
        if flt.sector_code is not None:
            self.where.append(f"f.sector_code = {self.arg(flt.sector_code)}")
        if per_member and flt.member_id is not None:
            self.where.append(f"f.member_id = {self.arg(flt.member_id)}")
        if group_by == "special_committee" or flt.special_committee_code is not None:
            self.joins += " LEFT JOIN member_dim md ON md.member_id = f.member_id"
        if flt.special_committee_code is not None:
            self.where.append(f"md.special_committee_code = {self.arg(flt.special_committee_code)}")
        if group_by == "workstation":
            self.joins += " LEFT JOIN member_workstation mw ON mw.member_id = f.member_id"

    def arg(self, value: object) -> str:
        self.args.append(value)
        return f"${len(self.args)}"

    def in_periods(self, pieces: list[Piece]) -> str:
        """The condition that the rollup row's (grain, period) is one of the pieces."""
        ors = [
            f"(f.grain = '{grain}' AND f.period BETWEEN {self.arg(lo)} AND {self.arg(hi)})"
            for grain, lo, hi in pieces
        ]
        return f"({' OR '.join(ors) or 'false'})"

    def sql(self, select: str, source: str) -> str:
        return f"""SELECT {select} FROM {source} {self.joins}
                   WHERE {" AND ".join(self.where)} GROUP BY 1"""


def _per_member(flt: KpiFilter, group_by: GroupBy | None) -> bool:
    return group_by in _PER_MEMBER or flt.member_id is not None or bool(flt.special_committee_code)


async def kpi_counts(
    conn: DbConnection, flt: KpiFilter, group_by: GroupBy | None
) -> dict[str, Counts]:
    """Every count per group key ('-': no special committee / workstation)."""
    lo, hi = flt.from_day or EARLIEST, flt.to_day or LATEST
    async with conn.transaction(readonly=True):
        # A plan per request: a cached generic plan cannot use the region prefix in an index.
        await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        counts = await _counts(conn, flt, group_by, lo, hi)
        await _only_past_due_dates(conn, flt, group_by, counts, lo, hi)
    for row in counts.values():
        # Fulfilled at all (on time or late): the numerator of the fulfilment rate.
        row["obligations_fulfilled"] = (
            row["obligations_fulfilled_on_time"] + row["obligations_fulfilled_late"]
        )
    return counts


def last_due_day(as_of: date) -> date:
    """The last due date that has passed: an obligation due today still has today."""
    return as_of - timedelta(days=1)


async def _only_past_due_dates(
    conn: DbConnection,
    flt: KpiFilter,
    group_by: GroupBy | None,
    counts: dict[str, Counts],
    lo: date,
    hi: date,
) -> None:
    """Replace the obligation counts by those of obligations whose due date has passed."""
    last = min(hi, last_due_day(flt.as_of))
    if last >= hi:
        return  # the period ended before today: every obligation in it is due already
    grain = TIME_GRAINS.get(group_by or "", "y")
    due = await _sums(conn, flt, group_by, periods(lo, last, grain), _OBLIGATIONS)
    for key, row in counts.items():
        row.update({m: due.get(key, {}).get(m, 0) for m in _OBLIGATIONS})


async def _counts(
    conn: DbConnection, flt: KpiFilter, group_by: GroupBy | None, lo: date, hi: date
) -> dict[str, Counts]:
    if group_by in TIME_GRAINS:
        return await _series(conn, flt, group_by, TIME_GRAINS[group_by], lo, hi)
    return await _totals(conn, flt, group_by, lo, hi)


async def _totals(
    conn: DbConnection, flt: KpiFilter, group_by: GroupBy | None, lo: date, hi: date
) -> dict[str, Counts]:
    grain = exact_period(lo, hi) if flt.to_day is not None else None
    # One whole day, month or year: the rows summed are that period's own, so they carry its
    # distinct liaisons_contacted too.
    counts = await _sums(conn, flt, group_by, periods(lo, hi), with_contacted=grain is not None)
    active_on = flt.to_day or flt.as_of
    active = await _sums(conn, flt, group_by, periods(EARLIEST, active_on), "liaison_delta")
    if grain is not None:
        contacted = {
            k: {"liaisons_contacted": c.pop("liaisons_contacted")} for k, c in counts.items()
        }
    else:
        contacted = await _distinct_contacted(conn, flt, group_by, lo, hi, active_on)
    for key in counts.keys() | active.keys() | contacted.keys():
        row = counts.setdefault(key, {m: 0 for m in _SUMMED})
        row.pop("liaison_delta", None)
        row["liaisons_active"] = active.get(key, {}).get("liaison_delta", 0)
        row["liaisons_contacted"] = contacted.get(key, {}).get("liaisons_contacted", 0)
    return counts


async def _series(
    conn: DbConnection, flt: KpiFilter, group_by: GroupBy, grain: Grain, lo: date, hi: date
) -> dict[str, Counts]:
    """One row per day, month or year; liaisons active at each period's end (or at `to`)."""
    counts = await _sums(conn, flt, group_by, periods(lo, hi, grain))
    before = await _sums(
        conn, flt, None, periods(EARLIEST, lo - timedelta(days=1)), "liaison_delta"
    )
    running = before.get("all", {}).get("liaison_delta", 0)
    for key in sorted(counts):
        running += counts[key].pop("liaison_delta")
        counts[key]["liaisons_active"] = running
    # Whole periods read their own distinct count; a period cut by from/to counts exactly.
    first = lo if _period_start(grain, lo) == lo else _period_after(grain, lo)
    after = (
        _period_after(grain, hi)
        if _period_after(grain, hi) - timedelta(days=1) == hi
        else (_period_start(grain, hi))
    )
    contacted: dict[str, Counts] = {}
    if first < after:
        last = _period_start(grain, after - timedelta(days=1))
        contacted = await _sums(conn, flt, group_by, [(grain, first, last)], "liaisons_contacted")
    edges = {(lo, min(hi, first - timedelta(days=1))), (max(lo, after), hi)}
    for a, b in edges:
        if a <= b:
            key = a.strftime({"d": "%Y-%m-%d", "m": "%Y-%m", "y": "%Y"}[grain])
            exact = await _distinct_contacted(conn, flt, None, a, b, b)
            contacted[key] = {
                "liaisons_contacted": exact.get("all", {}).get("liaisons_contacted", 0)
            }
    for key, row in counts.items():
        row["liaisons_contacted"] = contacted.get(key, {}).get("liaisons_contacted", 0)
    return counts


def _period_start(grain: Grain, d: date) -> date:
    return {"d": d, "m": d.replace(day=1), "y": date(d.year, 1, 1)}[grain]


def _period_after(grain: Grain, d: date) -> date:
    if grain == "d":
        return d + timedelta(days=1)
    if grain == "m":
        return _next_month(d)
    return date(d.year + 1, 1, 1)


async def _sums(
    conn: DbConnection,
    flt: KpiFilter,
    group_by: GroupBy | None,
    pieces: list[Piece],
    only: str | tuple[str, ...] | None = None,
    *,
    with_contacted: bool = False,
) -> dict[str, Counts]:
    per_member = _per_member(flt, group_by)
    q = _Query(flt, group_by, per_member=per_member)
    q.where.append(q.in_periods(pieces))
    sums = _SUMS + (
        ", sum(f.liaisons_contacted)::int AS liaisons_contacted" if with_contacted else ""
    )
    named = (only,) if isinstance(only, str) else only
    if named:
        sums = ", ".join(f"sum(f.{m})::int AS {m}" for m in named)
    select = f"{_KEYS[group_by]} AS key, {sums}"
    rows = await conn.fetch(
        q.sql(select, "member_kpi f" if per_member else "region_kpi f"), *q.args
    )
    # A group whose sums are all 0 is left out: a rollup row can be all 0 when a fact moved
    # away (an obligation withdrawn), and whether such a row exists depends on delivery order.
    return {
        r["key"]: {k: int(v or 0) for k, v in r.items() if k != "key"}
        for r in rows
        if any(v for k, v in r.items() if k != "key")
    }


async def _distinct_contacted(
    conn: DbConnection,
    flt: KpiFilter,
    group_by: GroupBy | None,
    lo: date,
    hi: date,
    active_on: date,
) -> dict[str, Counts]:
    """Distinct liaisons reached in [lo, hi] and active on `active_on`, by their member's
    group (the slow path: used only for ranges that are not one whole day, month or year)."""
    q = _Query(flt, group_by, per_member=True)
    q.where.append(f"liaison_active(f.linked_on, f.unlinked_on, {q.arg(active_on)})")
    # Each liaison of the scope once, reached if one of its contact days is in [lo, hi]: a
    # test on its own row, no probe of liaison_period_contact per liaison and period piece.
    q.where.append(f"f.contact_days && daterange({q.arg(lo)}, {q.arg(hi)}, '[]')")
    select = f"{_KEYS[group_by]} AS key, count(*)::int AS liaisons_contacted"
    rows = await conn.fetch(q.sql(select, "liaison f"), *q.args)
    return {r["key"]: {"liaisons_contacted": int(r["liaisons_contacted"])} for r in rows}
