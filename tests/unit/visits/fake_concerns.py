"""Visits' concern, round, history and dispatch tables as dicts (see `fakes.py`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from services.visits.domain.concerns import Concern, Liaison, Step
from services.visits.repository.bridge import Dispatch, DueDispatch


class Cards(Protocol):
    """Where liaisons' cards come from (the fake roster)."""

    liaisons: dict[UUID, tuple[UUID, bool, Liaison]]


@dataclass
class RoundRow:
    department_code: str
    due_on: date
    reply: str | None = None
    replied_on: date | None = None
    replied_via: str | None = None
    satisfaction: int | None = None
    resolved: bool | None = None


@dataclass(frozen=True)
class HistoryRow:
    step: Step
    actor: str
    actor_role: str


class FakeConcerns:
    def __init__(self, roster: Cards) -> None:
        self.roster = roster
        self.saved: dict[UUID, Concern] = {}
        self.history: dict[UUID, list[HistoryRow]] = {}
        self.rounds: dict[tuple[UUID, int], RoundRow] = {}

    async def add(self, c: Concern, at: datetime) -> None:
        self.saved[c.id] = c

    async def lock(self, ids: list[UUID]) -> dict[UUID, Concern]:
        return {i: self.saved[i] for i in sorted(ids) if i in self.saved}

    async def departments(self, concern_id: UUID) -> set[str]:
        return {r.department_code for (c, _), r in self.rounds.items() if c == concern_id}

    async def save(self, c: Concern, at: datetime) -> None:
        self.saved[c.id] = c

    async def add_steps(
        self, concern_id: UUID, steps: list[Step], *, actor: str, actor_role: str, at: datetime
    ) -> None:
        self.history.setdefault(concern_id, []).extend(
            HistoryRow(s, actor, actor_role) for s in steps
        )

    async def open_round(self, c: Concern, at: datetime) -> None:
        assert c.department_code is not None
        assert c.due_on is not None
        self.rounds[(c.id, c.round)] = RoundRow(c.department_code, c.due_on)

    async def round_replied(self, concern_id: UUID, round_: int) -> bool | None:
        found = self.rounds.get((concern_id, round_))
        return None if found is None else found.reply is not None

    async def record_reply(
        self, c: Concern, *, reply: str, replied_on: date, via: str, at: datetime
    ) -> None:
        found = self.rounds[(c.id, c.round)]
        found.reply, found.replied_on, found.replied_via = reply, replied_on, via

    async def record_rating(
        self, c: Concern, *, satisfaction: int, resolved: bool, at: datetime
    ) -> None:
        found = self.rounds[(c.id, c.round)]
        found.satisfaction, found.resolved = satisfaction, resolved

    async def liaison(self, liaison_id: UUID | None) -> Liaison | None:
        found = self.roster.liaisons.get(liaison_id) if liaison_id else None
        return found[2] if found else None


class FakeDispatches:
    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rows: dict[UUID, Dispatch] = {}
        self.payloads: dict[UUID, str] = {}

    async def add(self, *, dispatch_id: UUID, round_: int, payload: str, **values: Any) -> None:
        self.rows[dispatch_id] = Dispatch(
            id=dispatch_id,
            round=round_,
            status="pending",
            attempts=0,
            next_attempt_at=self.now,
            last_error=None,
            created_at=self.now,
            sent_at=None,
            **values,
        )
        self.payloads[dispatch_id] = payload

    async def lock_due(self, limit: int) -> list[DueDispatch]:
        due = [
            d for d in self.rows.values() if d.status == "pending" and d.next_attempt_at <= self.now
        ]
        return [
            DueDispatch(d.id, d.concern_id, d.round, self.payloads[d.id], d.attempts)
            for d in due[:limit]
        ]

    async def mark_sent(self, dispatch_id: UUID) -> None:
        d = self.rows[dispatch_id]
        self.rows[dispatch_id] = replace(
            d, status="sent", sent_at=self.now, attempts=d.attempts + 1, last_error=None
        )

    async def mark_failed(self, dispatch_id: UUID, *, error: str, retry_in: float | None) -> None:
        d = self.rows[dispatch_id]
        self.rows[dispatch_id] = replace(
            d,
            attempts=d.attempts + 1,
            last_error=error[:500],
            status="failed" if retry_in is None else "pending",
            next_attempt_at=self.now + timedelta(seconds=retry_in or 0),
        )

    async def lock(self, dispatch_id: UUID) -> Dispatch | None:
        return self.rows.get(dispatch_id)

    async def replay(self, dispatch_id: UUID) -> Dispatch:
        d = replace(self.rows[dispatch_id], status="pending", attempts=0, next_attempt_at=self.now)
        self.rows[dispatch_id] = d
        return d
