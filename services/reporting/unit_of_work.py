"""Reporting's unit of work: one transaction over the projection tables (and its outbox)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import asyncpg

from services.reporting.deidentify import Pseudonymizer
from services.reporting.repository.concerns import ConcernRepository
from services.reporting.repository.directory import DirectoryRepository
from services.reporting.repository.member_counts import MemberCountRepository
from services.reporting.repository.notifications import NotificationRepository
from services.reporting.repository.obligations import ObligationRepository
from services.reporting.repository.timeline import FeedRepository, TimelineRepository
from services.reporting.repository.visits import VisitRepository
from shared.db.unit_of_work import PgUnitOfWork

SOURCE = "/services/reporting"
# The tables this unit of work writes: the service migrates them at start, the rebuild into its
# fresh schema.
MIGRATIONS = Path(__file__).parent / "migrations"
# `python -m services.reporting.rebuild` takes this lock exclusively for its last step and the
# table swap; every projection transaction holds it shared, so none straddles the swap (a
# batch either commits into the old tables before it, or starts on the new ones after it).
REBUILD_LOCK = 0x2EB0_11D5


class Mode(Enum):
    """What a transaction writes besides the projections' facts."""

    # The live consumers: rollups counted as events come, de-identified facts published.
    LIVE = "live"
    # The rebuild's last step: rollups as live does; nothing published (its feed and outbox
    # would be thrown away: the live ones carry over).
    REBUILD = "rebuild"
    # The rebuild's bulk: facts only, the rollups recounted once at the end
    # (repository/recount.py); notifications are always counted as they come.
    REBUILD_BULK = "rebuild_bulk"


class ReportingUnitOfWork(PgUnitOfWork):
    member_counts: MemberCountRepository
    directory: DirectoryRepository
    visits: VisitRepository
    obligations: ObligationRepository
    concerns: ConcernRepository
    notifications: NotificationRepository
    timeline: TimelineRepository
    feed: FeedRepository

    def __init__(
        self,
        pool: asyncpg.Pool,
        pseudonymize: Pseudonymizer | None = None,
        *,
        mode: Mode = Mode.LIVE,
    ) -> None:
        super().__init__(pool, source=SOURCE)
        self._pseudonymize = pseudonymize
        self.mode = mode

    @property
    def publishes(self) -> bool:
        """Whether the handlers build de-identified facts at all (not in a rebuild)."""
        return self.mode is Mode.LIVE

    @property
    def defers_rollups(self) -> bool:
        return self.mode is Mode.REBUILD_BULK

    @property
    def pseudonymize(self) -> Pseudonymizer:
        if self._pseudonymize is None:
            raise RuntimeError("this unit of work was built without a pseudonym key")
        return self._pseudonymize

    async def _on_begin(self, conn: asyncpg.Connection) -> None:
        await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", REBUILD_LOCK)

    def _bind(self, conn: asyncpg.Connection) -> None:
        self.member_counts = MemberCountRepository(conn)
        defer = self.defers_rollups
        self.directory = DirectoryRepository(conn, defer_rollups=defer)
        self.visits = VisitRepository(conn, defer_rollups=defer)
        self.obligations = ObligationRepository(conn, defer_rollups=defer)
        self.concerns = ConcernRepository(conn, defer_rollups=defer)
        self.notifications = NotificationRepository(conn)
        self.timeline = TimelineRepository(conn)
        self.feed = FeedRepository(conn)
