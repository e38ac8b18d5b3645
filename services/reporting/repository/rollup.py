"""The KPI rollups (member_kpi, region_kpi): one statement adds a batch's changes to every grain.

A writer builds CTEs that end in `delta`: rows of (member_id, region_code, sector_code,
only_grain, day, <some metrics>), each metric the change of a fact's contribution (new minus
old, so +1, -1 or 0 for counts). `only_grain` is NULL for additive facts (they go to the day,
its month and its year) or names the one grain a per-period fact belongs to
(liaisons_contacted). Rows are summed per key and upserted in key order, so two batches never
lock the same rollup rows in opposite orders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

METRICS: tuple[str, ...] = (
    "contacts",
    "contacts_face_to_face",
    "contacts_regular_work",
    "contacts_online",
    "contacts_service",
    "contacts_innovative",
    "people_reached",
    "heart_to_heart_talks",
    "liaison_delta",
    "liaisons_contacted",
    "obligations_due",
    "obligations_fulfilled_on_time",
    "obligations_fulfilled_late",
    "obligations_overdue",
    "obligations_escalated",
    "obligations_escalated_fulfilled",
    "concerns_collected",
    "concerns_handled",
    "concerns_assigned",
    "concerns_replied",
    "concerns_replied_on_time",
    "concerns_rated",
    "concerns_satisfied",
    "concerns_resolved",
    "public_opinion_reports",
    "proposals",
    "days_to_reply_total",
    "notifications_reached",
)
GRAINS = "(VALUES ('d'::\"char\"), ('m'::\"char\"), ('y'::\"char\")) AS g(grain)"


def delta_select(
    source: str,
    metrics: dict[str, str],
    *,
    member: str = "member_id",
    region: str = "region_code",
    sector: str = "sector_code",
    day: str,
    only_grain: str = 'NULL::"char"',
    where: str = "true",
) -> str:
    """One SELECT shaped as a `delta` row; metrics not named are 0. Arguments are SQL
    expressions written in this package, never request input."""
    values = ", ".join(
        f"coalesce(({metrics[m]})::int, 0) AS {m}" if m in metrics else f"0 AS {m}" for m in METRICS
    )
    return f"""SELECT {member} AS member_id, {region} AS region_code,
                      coalesce({sector}, '-') AS sector_code, {only_grain} AS only_grain,
                      {day} AS day, {values}
               FROM {source} WHERE {where}"""


def both_forms(statement: Callable[..., str], rows: str) -> dict[bool, str]:
    """`statement(rows)` keyed by whether it updates the rollups: a repository picks the form
    by its `defer_rollups`."""
    return {True: statement(rows), False: statement(rows, rollups=False)}


def facts_only(ctes: str) -> str:
    """The same `ctes` writing their fact rows and leaving the rollups alone (a rebuild counts
    them once at the end, see `member_recount`): an unreferenced SELECT CTE is never run,
    a data-modifying one always is."""
    return f"{ctes}\nSELECT 1"


def recounted(source: str, delta: str) -> str:
    """A fact table's whole contribution, as if every row were new: a subquery of `delta` rows.

    `source` is 'name AS (SELECT ... FROM <table>)' shaped as the rows `delta` (the writer's own
    delta SELECT) reads: the same definitions the writer uses per batch, so a recount equals
    the sum of every batch's changes."""
    return f"(WITH {source} {delta})"


_MEMBER_KEY = ("member_id", "grain", "period", "region_code", "sector_code")
_REGION_KEY = ("grain", "period", "region_code", "sector_code")
_SUMS = ", ".join(f"sum({m})::int AS {m}" for m in METRICS)
_COLUMNS = ", ".join(METRICS)
_GRADED = f"""graded AS (
        SELECT d.*, g.grain, kpi_period(g.grain, d.day) AS period
        FROM delta d CROSS JOIN {GRAINS}
        WHERE d.day IS NOT NULL AND (d.only_grain IS NULL OR d.only_grain = g.grain)
      )"""


def member_recount(families: Sequence[str], *, shard: int = 0, shards: int = 1) -> str:
    """Every family's `recounted` contribution added to member_kpi, for the members of
    `shard` (of `shards`: disjoint sets of rows, so shards can run at once).

    The shard's rows are taken out and put back with the contributions added, all in one
    statement, so each row is written once however many families count in it. A plain INSERT
    of hashed groups: no sort of millions of wide graded rows (the rebuild is the only writer,
    so no lock order to keep), no ON CONFLICT (at 1M events, its speculative insertion was
    half of the recount).
    """
    union = " UNION ALL ".join(f"SELECT * FROM {f} AS f{i}" for i, f in enumerate(families))
    keys = ", ".join(_MEMBER_KEY)
    # Constants of this module, never input.
    mine = f"(uuid_hash(member_id) & 2147483647) % {int(shards)} = {int(shard)}"
    return f"""WITH taken AS (DELETE FROM member_kpi WHERE {mine} RETURNING {keys}, {_COLUMNS}),
      delta AS ({union}),
      {_GRADED}
      INSERT INTO member_kpi ({keys}, {_COLUMNS})
      SELECT {keys}, {_SUMS}
      FROM (SELECT {keys}, {_COLUMNS} FROM graded WHERE {mine}
            UNION ALL SELECT * FROM taken) AS counted
      GROUP BY {keys}"""


# region_kpi anew: member_kpi's sums without the member (its definition: summing the member
# rows is a fraction of the work of grading every fact again).
REGION_RECOUNT = (
    "DELETE FROM region_kpi",
    f"""INSERT INTO region_kpi ({", ".join(_REGION_KEY)}, {_COLUMNS})
      SELECT {", ".join(_REGION_KEY)}, {_SUMS} FROM member_kpi
      GROUP BY {", ".join(_REGION_KEY)}""",
)


def _added_to(table: str, key: Sequence[str], source: str) -> str:
    """INSERT adding `source`'s sums per `key` to `table`, in key order (see the module doc)."""
    columns = ", ".join(key)
    added = ", ".join(f"{m} = {table}.{m} + EXCLUDED.{m}" for m in METRICS)
    return f"""INSERT INTO {table} ({columns}, {_COLUMNS})
        SELECT {columns}, {_SUMS}
        FROM {source} GROUP BY {columns} ORDER BY {columns}
        ON CONFLICT ON CONSTRAINT {table}_pk DO UPDATE SET {added}"""


def rollup_statement(ctes: str) -> str:
    """`ctes` is 'WITH ..., delta AS (...)'; the statement applies delta to both rollups."""
    return f"""{ctes},
      {_GRADED},
      per_member AS (
        {_added_to("member_kpi", _MEMBER_KEY, "graded")}
      )
      {_added_to("region_kpi", _REGION_KEY, "graded")}"""
