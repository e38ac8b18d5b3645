"""Contact records into their rows and the rollups, and who was reached in which period.

Set-based: a batch of contact records is one INSERT (duplicates by visit id drop out there, and
only the rows it really inserted are summed into the rollups), and its liaisons one more.
"""

from __future__ import annotations

from datetime import date
from typing import get_args
from uuid import UUID

import asyncpg

from services.reporting.repository.rollup import (
    GRAINS,
    both_forms,
    delta_select,
    facts_only,
    recounted,
    rollup_statement,
)
from shared.contracts.visits import Channel, VisitRecordedV1

# Serialises the two writers of liaisons_contacted (this one and the liaison handler), so one
# never counts against a liaison row the other has changed but not yet committed.
COVERAGE_LOCK = 0x00C0_7E4A

_CHANNELS = get_args(Channel)
VISIT_DELTA = delta_select(
    "new",
    {
        "contacts": "1",
        **{f"contacts_{c}": f"channel = '{c}'" for c in _CHANNELS},
        "people_reached": "people_reached",
        "heart_to_heart_talks": "heart_to_heart_talks",
    },
    day="occurred_on",
)


def visits_statement(rows: str, *, rollups: bool = True) -> str:
    """Insert `rows` (a FROM item with the visit table's columns) and roll up those new."""
    return (rollup_statement if rollups else facts_only)(
        f"""WITH new AS (
              INSERT INTO visit (visit_id, member_id, region_code, sector_code, channel,
                                 occasion, occurred_on, people_reached, heart_to_heart_talks)
              SELECT * FROM {rows}
              ON CONFLICT DO NOTHING
              RETURNING *
            ),
            delta AS ({VISIT_DELTA})"""
    )


_VISIT_ROWS = """unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
              $7::date[], $8::int[], $9::int[])"""
_VISITS = both_forms(visits_statement, _VISIT_ROWS)
RECOUNT_VISITS = recounted("new AS (SELECT * FROM visit)", VISIT_DELTA)
# A liaison reached in a period counts toward that period if active at its end; the liaison's
# own member, region and sector carry the count (as the liaison handler re-counts it).
CONTACT_DELTA = delta_select(
    "new n JOIN liaison l USING (liaison_id)",
    {"liaisons_contacted": "1"},
    member="l.member_id",
    region="l.region_code",
    sector="l.sector_code",
    day="n.period",
    only_grain="n.grain",
    where="liaison_active(l.linked_on, l.unlinked_on, kpi_period_end(n.grain, n.period))",
)


# A liaison's contact_days from its liaison_period_contact day rows (`period`, grain 'd'): the
# one definition the contact writer, the link writer and the recount aggregate with.
DAYS_REACHED = "range_agg(daterange(period, period, '[]'))"
# The days newly reached added to each liaison's contact_days (a liaison not linked yet gets
# them from liaison_period_contact when it is: directory.liaisons_statement).
_ADD_CONTACT_DAYS = f"""
            days AS (
              UPDATE liaison l SET contact_days = l.contact_days + n.days
              FROM (SELECT liaison_id, {DAYS_REACHED} AS days
                    FROM new WHERE grain = 'd' GROUP BY 1) AS n
              WHERE l.liaison_id = n.liaison_id
            ),"""


def liaison_contacts_statement(contacts: str, *, rollups: bool = True) -> str:
    """`contacts` is a FROM item `u` with (liaison_id, day). Its recount is the liaisons'
    (directory.RECOUNT_LIAISONS, recount.RECOUNT_CONTACT_DAYS): a contact counts through its
    liaison."""
    return (rollup_statement if rollups else facts_only)(
        f"""WITH new AS (
              INSERT INTO liaison_period_contact (liaison_id, grain, period)
              SELECT DISTINCT u.liaison_id, g.grain, kpi_period(g.grain, u.day)
              FROM {contacts} CROSS JOIN {GRAINS}
              ORDER BY 1, 2, 3
              ON CONFLICT DO NOTHING
              RETURNING *
            ),{_ADD_CONTACT_DAYS if rollups else ""}
            delta AS ({CONTACT_DELTA})"""
    )


_CONTACT_ROWS = "unnest($1::uuid[], $2::date[]) AS u(liaison_id, day)"
_LIAISON_CONTACTS = both_forms(liaison_contacts_statement, _CONTACT_ROWS)


class VisitRepository:
    def __init__(self, conn: asyncpg.Connection, *, defer_rollups: bool = False) -> None:
        self._conn = conn
        self._rollups = not defer_rollups

    async def add_all(self, events: list[VisitRecordedV1]) -> None:
        """Contact records not yet projected are added once; the rest change nothing."""
        unique = list({e.visit_id: e for e in events}.values())
        await self._conn.execute(
            _VISITS[self._rollups],
            [e.visit_id for e in unique],
            [e.member_id for e in unique],
            [e.region_code for e in unique],
            [e.sector_code for e in unique],
            [e.channel for e in unique],
            [e.occasion for e in unique],
            [e.occurred_on for e in unique],
            [e.people_reached for e in unique],
            [e.heart_to_heart_talks for e in unique],
        )
        # Repeats and order are the statement's business (SELECT DISTINCT ... ORDER BY): in
        # Python, hashing and sorting the UUIDs cost more than the INSERT.
        liaisons = [x for e in unique for x in e.liaison_ids]
        days = [e.occurred_on for e in unique for _ in e.liaison_ids]
        await self.reach_liaisons(liaisons, days)

    async def reach_liaisons(self, liaisons: list[UUID], days: list[date]) -> None:
        """Each liaison reached on the day at the same position (repeats change nothing)."""
        if not liaisons:
            return
        if self._rollups:  # facts only count nothing: a rebuild's workers need no turns
            await self._conn.execute("SELECT pg_advisory_xact_lock($1)", COVERAGE_LOCK)
        await self._conn.execute(_LIAISON_CONTACTS[self._rollups], liaisons, days)
