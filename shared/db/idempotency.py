"""Idempotency keys on creates: a retried request gets what the first one created, once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any, Protocol, TypeVar
from uuid import UUID

import asyncpg

from shared.errors import Conflict, NotFound

T = TypeVar("T")


def request_fingerprint(payload: Any) -> str:
    """A stable hash of what was asked for: the same key with another request is a conflict."""
    if is_dataclass(payload) and not isinstance(payload, type):
        payload = asdict(payload)
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


class IdempotencyStore(Protocol):
    """Where keys are claimed: `IdempotencyKeys` in Postgres, a dict in the fast tests."""

    async def claim(self, actor: str, key: str, fingerprint: str) -> str | None: ...

    async def remember(self, actor: str, key: str, resource_id: str) -> None: ...


@dataclass(frozen=True)
class IdempotentRequest:
    """Who asked, under which `Idempotency-Key`, for what (the command's fingerprint)."""

    actor: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, actor: str, key: str | None, command: Any) -> IdempotentRequest | None:
        """None when the caller sent no key: the create then simply runs."""
        return None if not key else cls(actor, key, request_fingerprint(command))


async def create_once(
    store: IdempotencyStore,
    request: IdempotentRequest | None,
    *,
    create: Callable[[], Awaitable[T]],
    earlier: Callable[[UUID], Awaitable[T | None]],
    id_of: Callable[[T], UUID],
    not_found: str = "the earlier request's result is no longer there",
) -> tuple[T, bool]:
    """Run `create` once per key: `(result, True)` now, `(earlier result, False)` on a replay.

    Called inside the create's own unit of work, so the key and the resource commit together
    (or neither does); the caller commits. A replay of a result the caller may no longer see
    (moved out of scope, say) answers `NotFound` rather than leaking it.
    """
    if request is not None:
        earlier_id = await store.claim(request.actor, request.key, request.fingerprint)
        if earlier_id is not None:
            found = await earlier(UUID(earlier_id))
            if found is None:
                raise NotFound(not_found)
            return found, False
    created = await create()
    if request is not None:
        await store.remember(request.actor, request.key, str(id_of(created)))
    return created, True


class IdempotencyKeys:
    """Used inside the create's own transaction, so the key and the resource commit together."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def claim(self, actor: str, key: str, fingerprint: str) -> str | None:
        """None: the key is new and now ours. Otherwise: the id the first request created.

        A concurrent request with the same key waits on the primary key until the first one
        commits or rolls back, so two creates can never both pass.
        """
        inserted = await self._conn.fetchval(
            """INSERT INTO idempotency_key (actor, key, request_hash) VALUES ($1, $2, $3)
               ON CONFLICT DO NOTHING RETURNING true""",
            actor,
            key,
            fingerprint,
        )
        if inserted:
            return None
        row = await self._conn.fetchrow(
            "SELECT request_hash, resource_id FROM idempotency_key WHERE actor = $1 AND key = $2",
            actor,
            key,
        )
        assert row is not None
        if row["request_hash"] != fingerprint:
            raise Conflict("this Idempotency-Key was used for a different request")
        return str(row["resource_id"])

    async def remember(self, actor: str, key: str, resource_id: str) -> None:
        await self._conn.execute(
            "UPDATE idempotency_key SET resource_id = $3 WHERE actor = $1 AND key = $2",
            actor,
            key,
            resource_id,
        )
