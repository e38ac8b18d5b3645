"""Idempotency keys on creates: a retried request gets what the first one created, once."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import asyncpg

from shared.errors import Conflict


def request_fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


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
