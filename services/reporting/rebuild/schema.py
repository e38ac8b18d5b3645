"""The rebuild's own schema: created by the service's migrations, swapped in by renaming tables.

Live tables stay where the service finds them (its search_path, `public` by default). The swap
moves each projection table out to `reporting_old_<ts>` and its rebuilt twin in, inside the
transaction that holds the rebuild lock; table and constraint names do not change, so the
service's SQL, and its prepared statements, find the new tables. Postgres invalidates the plans
that used the old ones and re-resolves the names on their next use, and since both come from
the same migrations the result types match (no "cached plan must not change result type").
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shared.db.migrate import Migration, migrate_up
from shared.db.pool import DbConnection

# Not projections, so not swapped: the live migration bookkeeping; the outbox (what is still to
# be published; the rebuild publishes nothing again); the pull feed, whose `seq` cursors the
# data platform holds (the rebuild applies exactly the events the live feed already has).
KEPT = frozenset({"schema_migration", "outbox_message", "idempotency_key", "feed_entry"})
# What in the schema depends on one of its functions or own types, other than functions.
_TIED_TO_ROUTINES_OR_TYPES = """
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS what,
       pg_describe_object(d.refclassid, d.refobjid, 0) AS needs
FROM pg_depend d
WHERE d.deptype = 'n' AND d.classid <> 'pg_proc'::regclass
  AND ((d.refclassid = 'pg_proc'::regclass AND d.refobjid IN
          (SELECT oid FROM pg_proc WHERE pronamespace = $1::regnamespace))
    OR (d.refclassid = 'pg_type'::regclass AND d.refobjid IN
          (SELECT oid FROM pg_type WHERE typnamespace = $1::regnamespace
             AND typrelid = 0 AND typelem = 0)))"""
_MOVABLE = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def with_search_path(dsn: str, schema: str, **settings: str) -> str:
    """The DSN with `search_path` and `settings` as server settings (asyncpg passes unknown
    query keys on)."""
    wanted = {"search_path": schema, **settings}
    parts = urlsplit(dsn)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in wanted]
    return urlunsplit(parts._replace(query=urlencode([*query, *wanted.items()])))


async def live_schema(conn: DbConnection) -> str:
    """Where the service's connections find its tables (its search_path decides)."""
    name = await conn.fetchval(
        "SELECT relnamespace::regnamespace::text FROM pg_class "
        "WHERE oid = to_regclass('inbox_message')"
    )
    if name is None:
        raise RuntimeError("reporting's tables are not there: start the service once first")
    return str(name)


async def create(conn: DbConnection, schema: str, migrations: list[Migration]) -> None:
    """`conn` must have `search_path` set to `schema` alone (see `with_search_path`)."""
    await conn.execute(f"CREATE SCHEMA {quote(schema)}")
    await migrate_up(conn, migrations)
    tied = await conn.fetch(_TIED_TO_ROUTINES_OR_TYPES, schema)
    if tied:
        # Functions and types stay behind (the live schema has the same ones, from the same
        # migrations); a table, index, default or view using them would lose them with the drop.
        found = ", ".join(f"{r['what']} uses {r['needs']}" for r in tied)
        raise RuntimeError(f"the rebuild cannot swap: {found}; teach schema.py to move them")


# Rows the handlers write that the swap leaves behind anyway (see KEPT): never stored.
_PUBLICATIONS = ("outbox_message", "feed_entry")


async def discard_publications(conn: DbConnection, schema: str) -> None:
    """Make the rebuild's outbox and feed swallow their rows: a BEFORE trigger returning NULL
    (for COPY as for INSERT), so nothing is stored, indexed or logged for tables thrown away."""
    await conn.execute(
        f"CREATE FUNCTION {quote(schema)}.rebuild_discard() RETURNS trigger "
        "LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'"
    )
    for table in _PUBLICATIONS:
        await conn.execute(
            f"CREATE TRIGGER rebuild_discard BEFORE INSERT ON {quote(schema)}.{quote(table)} "
            f"FOR EACH ROW EXECUTE FUNCTION {quote(schema)}.rebuild_discard()"
        )


async def versions(conn: DbConnection, schema: str) -> set[str]:
    rows = await conn.fetch(f"SELECT version FROM {quote(schema)}.schema_migration")  # noqa: S608
    return {r["version"] for r in rows}


async def relations(conn: DbConnection, schema: str) -> list[tuple[str, str]]:
    """(name, kind) of what the swap moves: every relation but KEPT and owned sequences.

    Partitions are moved one by one like any table (ALTER TABLE SET SCHEMA moves a partitioned
    table alone); only sequences a column owns follow their table by themselves.
    """
    rows = await conn.fetch(
        """SELECT c.relname, c.relkind::text AS kind FROM pg_class c
           WHERE c.relnamespace = $1::regnamespace AND c.relkind::text = ANY($2::text[])
             AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d
                             WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                               AND d.deptype IN ('a', 'i')))
           ORDER BY c.relname""",
        schema,
        list(_MOVABLE),
    )
    return [(r["relname"], _MOVABLE[r["kind"]]) for r in rows if r["relname"] not in KEPT]


# Secondary indexes of plain tables: none backs a constraint the handlers' ON CONFLICT needs.
_SECONDARY_INDEXES = """
SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
WHERE t.relnamespace = $1::regnamespace AND t.relkind = 'r' AND NOT t.relispartition
  AND NOT i.indisunique AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1"""
# Building an index sorts its whole table once: in memory where it fits.
_INDEX_BUILD_MEMORY = "1GB"


async def set_aside_indexes(conn: DbConnection, schema: str) -> list[str]:
    """Drop the secondary indexes of `schema`'s tables; returns what re-creates them.

    One sorted build per index after the bulk is much cheaper than keeping each up to date
    through a million inserts; `restore_indexes` puts them back before the swap."""
    rows = await conn.fetch(_SECONDARY_INDEXES, schema)
    for row in rows:
        await conn.execute(f"DROP INDEX {row['name']}")
    return [row["definition"] for row in rows]


async def restore_indexes(conn: DbConnection, definitions: list[str]) -> None:
    await conn.execute(f"SET maintenance_work_mem = '{_INDEX_BUILD_MEMORY}'")
    for definition in definitions:
        await conn.execute(definition)
    await conn.execute("RESET maintenance_work_mem")


# The rollups (and their partitions): every KPI query reads them by index, and a fresh
# visibility map is what lets those scans skip the table. The fact tables' readers (a dossier,
# a recount) fetch rows anyway, so they get statistics only and autovacuum does the rest later.
_VACUUMED = ("member_kpi", "region_kpi")


async def vacuum_analyze(conn: DbConnection, schema: str) -> None:
    """Fresh statistics everywhere, and visibility maps on the rollups, so the first KPI queries
    plan and run as on the live tables."""
    for name, kind in await relations(conn, schema):
        if kind == "TABLE":
            how = "VACUUM (ANALYZE)" if name.startswith(_VACUUMED) else "ANALYZE"
            await conn.execute(f"{how} {quote(schema)}.{quote(name)}")


async def swap(conn: DbConnection, *, live: str, rebuilt: str, old: str) -> list[str]:
    """Inside the caller's transaction: live tables to `old`, rebuilt ones to `live`."""
    await conn.execute(f"CREATE SCHEMA {quote(old)}")
    moved = []
    for name, kind in await relations(conn, rebuilt):
        current = f"{quote(live)}.{quote(name)}"
        if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", current):
            await conn.execute(f"ALTER {kind} {current} SET SCHEMA {quote(old)}")
        await conn.execute(f"ALTER {kind} {quote(rebuilt)}.{quote(name)} SET SCHEMA {quote(live)}")
        moved.append(name)
    return moved


async def drop(conn: DbConnection, schema: str) -> None:
    await conn.execute(f"DROP SCHEMA IF EXISTS {quote(schema)} CASCADE")
