"""The asyncpg pool every service uses (JSON codecs set once per connection)."""

from __future__ import annotations

import json

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# What `pool.acquire()` hands out and what `asyncpg.connect()` returns: both speak the same API.
DbConnection = asyncpg.Connection | PoolConnectionProxy


_JSONB_VERSION = b"\x01"


def _encode_jsonb(value: object) -> bytes:
    return _JSONB_VERSION + json.dumps(value, ensure_ascii=False).encode()


def _decode_jsonb(data: bytes) -> object:
    return json.loads(data[1:])


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog", format="text"
    )
    # Binary for jsonb, so COPY (which speaks binary) can carry it too.
    await conn.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )


async def create_pool(
    dsn: str, *, min_size: int = 2, max_size: int = 10, command_timeout: float | None = 30
) -> asyncpg.Pool:
    """A pool whose broken connections (after a Postgres restart) are replaced on next use.

    `command_timeout`: seconds a statement may take (None: no limit, for batch commands)."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        # Recycle idle connections so a restarted server is noticed without a failed query.
        max_inactive_connection_lifetime=60,
        command_timeout=command_timeout,
    )
    assert pool is not None
    return pool
