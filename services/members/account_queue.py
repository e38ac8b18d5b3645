"""Noting account changes in the sync queue (`keycloak_account`), inside the caller's transaction.

The one write both the unit of work (members registered, changed, retired one at a time) and
the onboarding import (thousands per chunk) use, so every way into the directory notes the
accounts it changes in the same transaction as the members.
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from services.members.domain.accounts import AccountWanted, latest_per_member, wanted_from
from shared.contracts.base import IntegrationEvent


async def note_events(conn: asyncpg.Connection, events: Sequence[IntegrationEvent]) -> None:
    """The account changes these directory events ask for (none for most events)."""
    await note_wanted(conn, list(wanted_from(events)))


async def note_wanted(conn: asyncpg.Connection, wanted: Sequence[AccountWanted]) -> None:
    """Note what the directory now says, set-based (an import notes thousands at once);
    a changed row becomes due at once, whatever clock the job runs on."""
    wanted = latest_per_member(wanted)
    if not wanted:
        return
    await conn.execute(
        """INSERT INTO keycloak_account AS a
               (member_id, region_code, full_name, username, wanted_enabled,
                next_attempt_at)
           SELECT w.member_id, w.region_code, coalesce(w.full_name, ''), w.username,
                  w.enabled, '-infinity'
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[])
                AS w (member_id, region_code, full_name, username, enabled)
           ON CONFLICT (member_id) DO UPDATE SET
               region_code = EXCLUDED.region_code,
               full_name = CASE WHEN EXCLUDED.full_name = '' THEN a.full_name
                                ELSE EXCLUDED.full_name END,
               wanted_enabled = EXCLUDED.wanted_enabled,
               wanted_version = a.wanted_version + 1,
               attempts = 0, next_attempt_at = '-infinity', updated_at = now()""",
        [w.member_id for w in wanted],
        [w.region_code for w in wanted],
        [w.full_name for w in wanted],
        [w.username for w in wanted],
        [w.enabled for w in wanted],
    )
