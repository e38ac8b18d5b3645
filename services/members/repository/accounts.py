"""Members SQL: the account sync table (`keycloak_account`), the directory's queue to Keycloak.

Rows are written in the member's own transaction; the account job claims due rows with
`FOR UPDATE SKIP LOCKED` (every replica runs it) and records what Keycloak answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from services.members.account_queue import note_wanted
from services.members.domain.accounts import AccountWanted
from shared.db.constraints import explain_violations
from shared.regions import scope_prefix


@dataclass(frozen=True)
class AccountRow:
    """A member's account as the sync table holds it."""

    member_id: UUID
    region_code: str
    full_name: str
    username: str
    wanted_enabled: bool
    wanted_version: int
    synced_version: int
    keycloak_user_id: str | None
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    synced_at: datetime | None

    @property
    def due(self) -> bool:
        return self.synced_version < self.wanted_version


_COLUMNS = (
    "member_id, region_code, full_name, username, wanted_enabled, wanted_version, "
    "synced_version, keycloak_user_id, attempts, next_attempt_at, last_error, synced_at"
)


LIAISON_VIOLATIONS = {
    "liaison_account_subject_key": "this account already speaks for another liaison",
}


class AccountRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def want(self, wanted: Sequence[AccountWanted]) -> None:
        await note_wanted(self._conn, wanted)

    async def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[AccountRow]:
        """Lease up to `limit` due rows: other replicas skip them until `lease_until`, and no
        row lock is held while Keycloak is called (a directory write never waits on it)."""
        rows = await self._conn.fetch(
            f"""UPDATE keycloak_account SET leased_until = $2
                WHERE member_id IN (
                    SELECT member_id FROM keycloak_account
                    WHERE synced_version < wanted_version AND next_attempt_at <= $1
                      AND leased_until <= $1
                    ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
                RETURNING {_COLUMNS}""",
            now,
            lease_until,
            limit,
        )
        return [AccountRow(**dict(r)) for r in rows]

    async def synced(self, row: AccountRow, keycloak_user_id: str, at: datetime) -> None:
        await self._conn.execute(
            # A change noted meanwhile has a higher wanted_version: the row stays due.
            """UPDATE keycloak_account SET synced_version = greatest(synced_version, $2),
                   keycloak_user_id = $3, attempts = 0, last_error = NULL, synced_at = $4,
                   updated_at = $4, leased_until = '-infinity'
               WHERE member_id = $1""",
            row.member_id,
            row.wanted_version,
            keycloak_user_id,
            at,
        )

    async def failed(self, row: AccountRow, error: str, retry_at: datetime, at: datetime) -> None:
        # The lease ends either way; the backoff applies only if no newer version came meanwhile
        # (a newer one is due at once, and gets its own attempts).
        await self._conn.execute(
            """UPDATE keycloak_account SET leased_until = '-infinity', updated_at = $4,
                   attempts = attempts + (wanted_version = $5)::int,
                   last_error = CASE WHEN wanted_version = $5 THEN $2 ELSE last_error END,
                   next_attempt_at = CASE WHEN wanted_version = $5 THEN $3
                                          ELSE next_attempt_at END
               WHERE member_id = $1""",
            row.member_id,
            error[:500],
            retry_at,
            at,
            row.wanted_version,
        )

    async def get(self, member_id: UUID) -> AccountRow | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM keycloak_account WHERE member_id = $1",
            member_id,
        )
        return AccountRow(**dict(row)) if row else None

    async def backlog(self) -> tuple[int, int]:
        """(rows still to sync, of which failing at least once)."""
        row = await self._conn.fetchrow(
            "SELECT count(*) AS due, count(*) FILTER (WHERE attempts > 0) AS failing "
            "FROM keycloak_account WHERE synced_version < wanted_version"
        )
        return (int(row["due"]), int(row["failing"])) if row else (0, 0)

    # --- a liaison's own account (a constituent who is also a liaison) ---------------------

    async def link_liaison(self, liaison_id: UUID, subject: str | None) -> None:
        """Set (or, with None, clear) the account that speaks for the liaison."""
        with explain_violations(LIAISON_VIOLATIONS):
            await self._conn.execute(
                "UPDATE liaison SET account_subject = $2 WHERE id = $1", liaison_id, subject
            )

    async def liaison_of(self, subject: str, scope: str) -> UUID | None:
        """The current liaison this account speaks for, inside the caller's scope."""
        found: UUID | None = await self._conn.fetchval(
            """SELECT id FROM liaison WHERE account_subject = $1 AND status = 'linked'
                   AND region_code LIKE $2 || '%'""",
            subject,
            scope_prefix(scope),
        )
        return found

    async def liaison_account(self, liaison_id: UUID) -> str | None:
        subject: str | None = await self._conn.fetchval(
            "SELECT account_subject FROM liaison WHERE id = $1", liaison_id
        )
        return subject
