"""Reporting's unit of work in memory: each repository keeps what the handlers hand it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from uuid import UUID

from services.reporting.deidentify import Pseudonymizer
from services.reporting.repository.concerns import ConcernChange
from services.reporting.repository.obligations import ObligationChange
from services.reporting.repository.timeline import TimelineEntry
from shared.contracts.base import IntegrationEvent
from tests.support.fakes import FakeUnitOfWork


class FakeMemberCounts:
    def __init__(self) -> None:
        self.members: Counter[tuple[str, str]] = Counter()
        self.writes = 0

    async def increment(self, region_code: str, sector_code: str, by: int = 1) -> None:
        self.members[(region_code, sector_code)] += by
        self.writes += 1


class FakeReach:
    def __init__(self) -> None:
        self.rows: set[tuple[UUID, UUID, str, date]] = set()

    async def reached(self, deliveries: list[tuple[UUID, UUID, str, date]]) -> None:
        self.rows.update(deliveries)


class FakeChanges:
    """Obligations or concerns: the changes handed over, one statement per call."""

    def __init__(self) -> None:
        self.calls: list[list[object]] = []

    async def apply(self, changes: Sequence[ObligationChange | ConcernChange]) -> None:
        self.calls.append(list(changes))


class FakeTimeline:
    def __init__(self) -> None:
        self.entries: list[TimelineEntry] = []

    async def append_all(self, entries: list[TimelineEntry]) -> None:
        self.entries.extend(entries)


class FakeFeed:
    def __init__(self) -> None:
        self.facts: list[IntegrationEvent] = []

    async def append_all(self, facts: Sequence[IntegrationEvent]) -> None:
        self.facts.extend(facts)


class FakeReportingUnitOfWork(FakeUnitOfWork):
    def __init__(self, pseudonymize: Pseudonymizer) -> None:
        super().__init__()
        self.pseudonymize = pseudonymize
        self.publishes = True
        self.member_counts = FakeMemberCounts()
        self.notifications = FakeReach()
        self.obligations = FakeChanges()
        self.concerns = FakeChanges()
        self.timeline = FakeTimeline()
        self.feed = FakeFeed()
