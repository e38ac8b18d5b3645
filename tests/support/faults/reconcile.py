"""Reconciliation: every event produced against every effect applied, after the dust settles.

Produced = the outbox tables of every producing service, plus anything else with a `ce_id` on
the topics. Applied = the `inbox_message` rows of every consumer group (claimed in the same
transaction as the handler's rows) and projection counters that would drift if a handler ran
twice. Timestamps come from one Postgres server, so latency needs no clock agreement.

Order is promised per key for transactions the database serialises (one aggregate's row lock):
their outbox ids follow their commits. Two transactions on one key that no lock orders (two
contact records of one member at once) commit in either order, and the relay may publish them
in either; `track_commit_order` numbers commits so that such a pair is not counted as out of
order, while a pair both orders agree on still is.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient

from tests.support.faults.groups import PRODUCERS, Group
from tests.support.kafka import read_all

# Projection counters that each visible event bumps exactly once: (service, what, excess SQL).
EFFECT_CHECKS = (
    (
        "reporting",
        "member_kpi.contacts (per day) vs visits",
        "SELECT (SELECT coalesce(sum(contacts), 0) FROM member_kpi WHERE grain = 'd')"
        " - (SELECT count(*) FROM visit)",
    ),
    (
        "reporting",
        "member_count.members vs registrations claimed",
        """SELECT (SELECT coalesce(sum(members), 0) FROM member_count)
                - (SELECT count(*) FROM inbox_message
                   WHERE consumer_group = 'reporting.member-directory'
                     AND event_type = 'members.member.registered.v1')""",
    ),
)


@dataclass
class Produced:
    event_id: UUID
    event_type: str
    topic: str  # without the run's prefix
    key: str
    created_at: datetime
    outbox_id: int | None = None  # None: put on the topic by the test itself
    copies: int = 0
    commit_rank: int | None = None  # from track_commit_order: its transaction's place


@dataclass
class Reconciliation:
    produced: dict[UUID, Produced] = field(default_factory=dict)
    applied: dict[str, dict[UUID, datetime]] = field(default_factory=dict)  # group -> id -> at
    lost: list[str] = field(default_factory=list)
    applied_twice: int = 0
    delivered_twice: int = 0
    order_violations: int = 0
    unordered_pairs: int = 0  # same key, transactions no lock ordered: either order is right
    dlq: int = 0
    dlq_reasons: list[str] = field(default_factory=list)
    foreign_messages: int = 0  # on a topic without a ce_id (poison): never an event
    poison: frozenset[UUID] = frozenset()
    poison_applied: int = 0

    @property
    def applications(self) -> int:
        return sum(len(ids) for ids in self.applied.values())

    def latencies(self, start: datetime, end: datetime) -> list[float]:
        """Seconds from written to applied, for events written in [start, end)."""
        out = []
        for ids in self.applied.values():
            for event_id, at in ids.items():
                p = self.produced.get(event_id)
                if p is not None and start <= p.created_at < end:
                    out.append(max(0.0, (at - p.created_at).total_seconds()))
        return out

    def caught_up_at(self, before: datetime) -> datetime | None:
        """When the last event written before `before` was applied by its last consumer."""
        times = [
            at
            for ids in self.applied.values()
            for event_id, at in ids.items()
            if (p := self.produced.get(event_id)) is not None and p.created_at < before
        ]
        return max(times, default=None)


async def reconcile(
    bootstrap: str,
    prefix: str,
    database_urls: dict[str, str],
    groups: list[Group],
    *,
    poison: frozenset[UUID] = frozenset(),
) -> Reconciliation:
    """`poison`: ids the test put on the topics meaning them never to be applied."""
    r = Reconciliation(poison=poison)
    for service in PRODUCERS:
        for row in await _fetch(database_urls[service], _OUTBOX):
            r.produced[row["event_id"]] = Produced(
                row["event_id"],
                row["event_type"],
                row["topic"],
                row["partition_key"],
                row["created_at"],
                row["id"],
            )
        await _commit_ranks(r, database_urls[service])
    topic_order: dict[tuple[str, str], list[UUID]] = defaultdict(list)
    for topic in await _topics(bootstrap, prefix):
        name = topic.removeprefix(prefix)
        messages = await read_all(bootstrap, topic)
        if name.endswith(".dlq"):
            r.dlq += len(messages)
            r.dlq_reasons += [_header(m, "dlq_reason") or "?" for m in messages]
            continue
        for m in sorted(messages, key=lambda m: (m.partition, m.offset)):
            _take(r, name, m, topic_order)
    r.delivered_twice = sum(max(0, p.copies - 1) for p in r.produced.values())
    r.order_violations = _order_violations(r, topic_order)
    for g in groups:
        rows = await _fetch(
            database_urls[g.service],
            "SELECT event_id, processed_at FROM inbox_message WHERE consumer_group = $1",
            g.name,
        )
        r.applied[g.name] = {row["event_id"]: row["processed_at"] for row in rows}
        r.order_violations += _apply_order_violations(r, g)
    r.poison_applied = sum(len(poison & ids.keys()) for ids in r.applied.values())
    for event_id in poison:
        r.produced.pop(event_id, None)
    r.lost = _lost(r, groups)
    for service, what, sql in EFFECT_CHECKS:
        excess = int((await _fetch(database_urls[service], sql))[0][0])
        if excess < 0:
            r.lost.append(f"{what}: {excess:+d}")
        r.applied_twice += max(0, excess)
    return r


_OUTBOX = "SELECT id, event_id, event_type, topic, partition_key, created_at FROM outbox_message"


def _take(r: Reconciliation, topic: str, m: Any, order: dict[tuple[str, str], list[UUID]]) -> None:
    ce_id = _header(m, "ce_id")
    try:
        event_id = UUID(ce_id or "")
    except ValueError:
        r.foreign_messages += 1
        return
    p = r.produced.get(event_id)
    if p is None:
        created = datetime.fromtimestamp(m.timestamp / 1000, UTC)
        key = (m.key or b"").decode(errors="replace")
        p = Produced(event_id, _header(m, "ce_type") or "?", topic, key, created)
        r.produced[event_id] = p
    if p.copies == 0:
        order[(topic, p.key)].append(event_id)
    p.copies += 1


def _order_violations(r: Reconciliation, order: dict[tuple[str, str], list[UUID]]) -> int:
    """Keys whose events reached the topic (first copies) out of their outbox commit order."""
    violations = 0
    for ids in order.values():
        seq = [p for i in ids if (p := r.produced[i]).outbox_id is not None]
        violations += sum(1 for a, b in itertools.pairwise(seq) if _before(r, b, a))
    return violations


def _apply_order_violations(r: Reconciliation, g: Group) -> int:
    """Events a group applied in an earlier transaction than an event before them on their key."""
    by_key: dict[tuple[str, str], list[Produced]] = defaultdict(list)
    for event_id in r.applied[g.name]:
        p = r.produced.get(event_id)
        if p is not None and p.outbox_id is not None:
            by_key[(p.topic, p.key)].append(p)
    violations = 0
    applied = r.applied[g.name]
    for events in by_key.values():
        events.sort(key=lambda p: p.outbox_id or 0)
        violations += sum(
            1
            for a, b in itertools.pairwise(events)
            if applied[b.event_id] < applied[a.event_id] and _before(r, a, b)
        )
    return violations


def _before(r: Reconciliation, a: Produced, b: Produced) -> bool:
    """Whether `a` must come before `b`: its outbox id is lower and, where commits are numbered,
    its transaction committed first. When the two disagree no lock ordered the transactions."""
    if a.outbox_id is None or b.outbox_id is None or a.outbox_id >= b.outbox_id:
        return False
    if a.commit_rank is None or b.commit_rank is None or a.commit_rank < b.commit_rank:
        return True
    r.unordered_pairs += 1
    return False


# Test instrumentation, installed before the workload starts: at its commit, every transaction
# that wrote outbox rows numbers them under a lock held until it has committed, so the numbers
# follow the commit order (a deferred trigger runs just before the commit).
_TRACK_COMMITS = """
CREATE SEQUENCE IF NOT EXISTS fault_commit_seq;
CREATE TABLE IF NOT EXISTS fault_outbox_commit (
    outbox_id bigint PRIMARY KEY, commit_rank bigint NOT NULL);
CREATE OR REPLACE FUNCTION fault_note_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7240099);
    INSERT INTO fault_outbox_commit VALUES (NEW.id, nextval('fault_commit_seq'));
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS fault_note_commit ON outbox_message;
CREATE CONSTRAINT TRIGGER fault_note_commit AFTER INSERT ON outbox_message
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_note_commit();
"""


async def track_commit_order(database_urls: dict[str, str]) -> None:
    """Numbers the producers' outbox commits from now on (where the outbox table exists yet)."""
    for service in PRODUCERS:
        conn = await asyncpg.connect(database_urls[service])
        try:
            if await conn.fetchval("SELECT to_regclass('outbox_message') IS NOT NULL"):
                await conn.execute(_TRACK_COMMITS)
        finally:
            await conn.close()


async def _commit_ranks(r: Reconciliation, dsn: str) -> None:
    """Each outbox row's commit number, where track_commit_order numbered it."""
    conn = await asyncpg.connect(dsn)
    try:
        if not await conn.fetchval("SELECT to_regclass('fault_outbox_commit') IS NOT NULL"):
            return
        rows = await conn.fetch(
            "SELECT o.event_id, c.commit_rank FROM fault_outbox_commit c"
            " JOIN outbox_message o ON o.id = c.outbox_id"
        )
    finally:
        await conn.close()
    for row in rows:
        p = r.produced.get(row["event_id"])
        if p is not None:
            p.commit_rank = row["commit_rank"]


def _lost(r: Reconciliation, groups: list[Group]) -> list[str]:
    lost = []
    for p in r.produced.values():
        if p.copies == 0:
            lost.append(f"{p.event_type} {p.event_id}: never reached {p.topic}")
            continue
        for g in groups:
            wanted = p.topic in g.topics and p.event_type in g.event_types
            if wanted and p.event_id not in r.applied[g.name]:
                lost.append(f"{p.event_type} {p.event_id}: not applied by {g.name}")
    return lost


def _header(message: Any, name: str) -> str | None:
    for key, value in message.headers or ():
        if key == name:
            return bytes(value).decode(errors="replace")
    return None


async def _topics(bootstrap: str, prefix: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return sorted(t for t in await admin.list_topics() if t.startswith(prefix))
    finally:
        await admin.close()


async def _fetch(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()
