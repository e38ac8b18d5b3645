"""In-memory stand-ins for the unit of work, so every use case has a test that runs in ms.

Each service's fast tests subclass `FakeUnitOfWork` with its fake repositories (dicts behind
the same methods the Postgres repositories offer). What a fake cannot tell from the real thing
is what the fast tier checks: the use case's decisions, what it saves, which events it records,
and that nothing is committed when it refuses (cosmicpython's `FakeUnitOfWork`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from shared.contracts.base import IntegrationEvent
from shared.errors import Conflict


class FakeUnitOfWork:
    """`async with uow:` ... `await uow.commit()`; events recorded reach `published` on commit."""

    def __init__(self) -> None:
        self.idempotency = FakeIdempotencyKeys()
        self.committed = False
        self.commits = 0
        self.published: list[IntegrationEvent] = []
        self._pending: list[IntegrationEvent] = []
        self._open = False

    async def __aenter__(self) -> Self:
        self._open = True
        self._pending = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # What was not committed is dropped, as a rollback would.
        self._pending = []
        self._open = False

    def record(self, *events: IntegrationEvent) -> None:
        self._pending.extend(events)

    async def commit(self) -> None:
        if not self._open:
            raise RuntimeError("nothing to commit")
        self.published.extend(self._pending)
        self._pending = []
        self.committed = True
        self.commits += 1

    def published_types(self) -> list[str]:
        return [event.event_type_name for event in self.published]


class FakeIdempotencyKeys:
    """The `IdempotencyStore` protocol over a dict."""

    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], tuple[str, str | None]] = {}

    async def claim(self, actor: str, key: str, fingerprint: str) -> str | None:
        earlier = self.keys.get((actor, key))
        if earlier is None:
            self.keys[(actor, key)] = (fingerprint, None)
            return None
        if earlier[0] != fingerprint:
            raise Conflict("this Idempotency-Key was used for a different request")
        return earlier[1]

    async def remember(self, actor: str, key: str, resource_id: str) -> None:
        fingerprint, _ = self.keys[(actor, key)]
        self.keys[(actor, key)] = (fingerprint, resource_id)
