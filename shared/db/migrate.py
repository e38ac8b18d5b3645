"""The migration runner: timestamped SQL files with `-- migrate:up` / `-- migrate:down` sections.

Every replica runs it at start-up; an advisory lock makes the first one do the work and the
others wait, then find nothing left to apply.
"""

from __future__ import annotations

import argparse
import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from shared.db.pool import DbConnection

SHARED_MIGRATIONS = Path(__file__).parent / "migrations"
_FILENAME = re.compile(r"^(\d{14})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 7_240_001  # any constant; the same in every service keeps runners of one DB in line


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    up: str
    down: str


def parse_migration(path: Path) -> Migration:
    match = _FILENAME.match(path.name)
    if not match:
        raise ValueError(f"migration file name must be YYYYMMDDHHMMSS_slug.sql: {path.name}")
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^-- migrate:(up|down)\s*$", text, flags=re.MULTILINE)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if "up" not in sections or "down" not in sections:
        raise ValueError(f"{path.name} needs both -- migrate:up and -- migrate:down sections")
    return Migration(match[1], match[2], sections["up"].strip(), sections["down"].strip())


def load_migrations(dirs: Iterable[Path]) -> list[Migration]:
    found = [parse_migration(p) for d in dirs for p in sorted(d.glob("*.sql"))]
    versions = [m.version for m in found]
    duplicated = {v for v in versions if versions.count(v) > 1}
    if duplicated:
        raise ValueError(f"duplicate migration versions: {sorted(duplicated)}")
    return sorted(found, key=lambda m: m.version)


async def _applied(conn: DbConnection) -> set[str]:
    await conn.execute(
        """CREATE TABLE IF NOT EXISTS schema_migration (
               version    text PRIMARY KEY,
               name       text NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now())"""
    )
    return {r["version"] for r in await conn.fetch("SELECT version FROM schema_migration")}


async def migrate_up(conn: DbConnection, migrations: Sequence[Migration]) -> list[str]:
    """Apply what is pending, each file in its own transaction; returns the versions applied."""
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        done = await _applied(conn)
        applied = []
        for m in migrations:
            if m.version in done:
                continue
            async with conn.transaction():
                await conn.execute(m.up)
                await conn.execute(
                    "INSERT INTO schema_migration (version, name) VALUES ($1, $2)",
                    m.version,
                    m.name,
                )
            applied.append(m.version)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


async def migrate_down(
    conn: DbConnection, migrations: Sequence[Migration], *, steps: int = 1
) -> list[str]:
    """Revert the newest `steps` applied migrations; returns the versions reverted."""
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        done = await _applied(conn)
        reverted = []
        for m in [m for m in reversed(migrations) if m.version in done][:steps]:
            async with conn.transaction():
                await conn.execute(m.down)
                await conn.execute("DELETE FROM schema_migration WHERE version = $1", m.version)
            reverted.append(m.version)
        return reverted
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)


async def _main(dsn: str, dirs: list[Path], direction: str, steps: int) -> None:
    migrations = load_migrations([SHARED_MIGRATIONS, *dirs])
    conn = await asyncpg.connect(dsn)
    try:
        if direction == "up":
            done = await migrate_up(conn, migrations)
        else:
            done = await migrate_down(conn, migrations, steps=steps)
        print(f"{direction}: {done or 'nothing to do'}")
    finally:
        await conn.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Apply or revert a service's migrations.")
    parser.add_argument("direction", choices=["up", "down"])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--dir", action="append", type=Path, default=[], help="service folder")
    parser.add_argument("--steps", type=int, default=1)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.dsn, args.dir, args.direction, args.steps))


if __name__ == "__main__":
    main()
