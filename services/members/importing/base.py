"""What every kind's importer shares: its context, staging by COPY, chunked look-ups, events.

An importer is used inside one transaction: `check` reads the directory and adds row errors;
when there are none, `apply` writes the new and changed rows and their events, and returns the
counts. Unchanged rows are not written and produce no events (a re-import is a no-op).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

import asyncpg

from services.members.account_queue import note_events
from services.members.domain.members import LiaisonQuota
from services.members.importing.errors import DirectoryChanged, RowError
from services.members.importing.files import Table
from services.members.importing.jobs import Counts
from services.members.pii import PiiCipher
from shared.auth import Principal
from shared.contracts.base import IntegrationEvent
from shared.db.outbox import append_to_outbox

SOURCE = "/services/members"  # the ce_source the members unit of work writes
CHUNK_ROWS = 2000  # rows per staging COPY, outbox write and progress report
LOOKUP_CHUNK = 5000  # keys per `= ANY($1)` look-up
# The pool's 30 s command timeout is for requests; moving half a million staged rows into an
# indexed table in one statement may take longer on a loaded machine.
STATEMENT_TIMEOUT = 600.0
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

Progress = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class ImportContext:
    job_id: UUID
    conn: asyncpg.Connection  # the one transaction, as members_app inside the caller's scope
    principal: Principal
    now: datetime
    cipher: PiiCipher
    quota: LiaisonQuota
    progress: Progress  # rows processed so far in the apply phase (a separate transaction)


class Importer(Protocol):
    async def check(self, rows: list[Any], errors: list[RowError]) -> None: ...

    async def apply(self) -> Counts: ...


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def duplicates(
    rows: Iterable[T], key: Callable[[T], K | None], number: Callable[[T], int]
) -> Iterator[tuple[T, int]]:
    """Each row whose key an earlier row already has, with that earlier row's number."""
    first: dict[K, int] = {}
    for row in rows:
        k = key(row)
        if k is None:
            continue
        if k in first:
            yield row, first[k]
        else:
            first[k] = number(row)


def duplicate_errors(
    table: Table, rows: Iterable[Any], attribute: str, what: str = ""
) -> list[RowError]:
    header = table.header(attribute)
    return [
        RowError(row.row, header, f"{what or attribute} repeats row {earlier}")
        for row, earlier in duplicates(rows, lambda r: getattr(r, attribute), lambda r: r.row)
    ]


async def fetch_many(conn: asyncpg.Connection, sql: str, keys: Sequence[Any]) -> list[Any]:
    """`sql` takes the keys as $1 (an array); run in slices so no statement gets huge."""
    found: list[Any] = []
    for part in chunks(list(keys), LOOKUP_CHUNK):
        found.extend(await conn.fetch(sql, list(part)))
    return found


class Stage:
    """A temporary table (dropped at commit) that rows are COPYed into before one set-based
    INSERT and one UPDATE move them into the real table."""

    def __init__(self, conn: asyncpg.Connection, name: str, columns: Sequence[tuple[str, str]]):
        self.conn, self.name = conn, name
        self.columns = [c for c, _ in columns]
        self._ddl = ", ".join(f"{c} {t}" for c, t in columns)
        self._created = False

    async def add(self, records: Sequence[tuple[Any, ...]]) -> None:
        if not self._created:
            await self.conn.execute(f"CREATE TEMP TABLE {self.name} ({self._ddl}) ON COMMIT DROP")
            self._created = True
        if records:
            await self.conn.copy_records_to_table(
                self.name, records=records, columns=self.columns, timeout=STATEMENT_TIMEOUT
            )

    async def fetch(self, sql: str) -> list[Any]:
        """Run a statement that reads the stage (once rows were added)."""
        return await self.conn.fetch(sql, timeout=STATEMENT_TIMEOUT) if self._created else []


def require_all(written: Sequence[Any], expected: int) -> None:
    """An UPDATE guarded by each row's version wrote fewer rows than planned: someone else
    changed them since `check` read them. Raising rolls the whole file back."""
    if len(written) != expected:
        raise DirectoryChanged(f"{expected - len(written)} rows changed during the import")


async def emit(conn: asyncpg.Connection, events: Sequence[IntegrationEvent]) -> None:
    """Into the outbox of this same transaction, a chunk at a time (memory stays bounded)."""
    if events:
        await append_to_outbox(conn, list(events), source=SOURCE)
        await note_events(conn, events)  # the accounts these members' changes ask for
