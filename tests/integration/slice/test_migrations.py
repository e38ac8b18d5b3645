"""Every service's migrations apply, revert completely, and apply again on a real Postgres."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from shared.db.migrate import SHARED_MIGRATIONS, load_migrations, migrate_down, migrate_up
from tests.support.platform import SERVICES, Platform

REPO = Path(__file__).resolve().parents[3]

_TABLES = """SELECT array_agg(table_name::text ORDER BY table_name) FROM information_schema.tables
             WHERE table_schema = 'public' AND table_name <> 'schema_migration'"""


@pytest.mark.parametrize("service", SERVICES)
async def test_migrations_go_up_down_and_up_again(platform: Platform, service: str) -> None:
    migrations = load_migrations([SHARED_MIGRATIONS, REPO / "services" / service / "migrations"])
    conn = await asyncpg.connect(platform.database_urls[service])
    try:
        assert await migrate_up(conn, migrations) == [m.version for m in migrations]
        tables = await conn.fetchval(_TABLES)
        assert {"outbox_message", "inbox_message"} <= set(tables)
        assert await migrate_up(conn, migrations) == [], "a second run applies nothing"

        reverted = await migrate_down(conn, migrations, steps=len(migrations))
        assert reverted == [m.version for m in reversed(migrations)]
        assert await conn.fetchval(_TABLES) is None, "down leaves no table behind"

        await migrate_up(conn, migrations)
        assert await conn.fetchval(_TABLES) == tables
    finally:
        await conn.close()
