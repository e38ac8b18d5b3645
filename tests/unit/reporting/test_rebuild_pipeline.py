"""The rebuild's plumbing: decoding one batch ahead, its in-memory inbox per group, and the
partitions dealt out to its workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any, cast
from uuid import uuid4

import pytest
from aiokafka import TopicPartition

from services.reporting.rebuild.apply import RebuildInbox, one_ahead
from services.reporting.rebuild.workers import deal
from shared.contracts.members import MemberRetiredV1
from shared.db.pool import DbConnection
from shared.messaging.batch import ParsedBatch, ParsedEvent

# --- one_ahead ---------------------------------------------------------------------------------


async def test_the_next_item_is_produced_while_the_caller_still_holds_this_one() -> None:
    started = [asyncio.Event() for _ in range(4)]

    async def source() -> AsyncIterator[int]:
        for n in range(4):
            started[n].set()
            yield n

    seen = []
    async with contextlib.aclosing(one_ahead(source())) as items:
        async for n in items:
            if n < 3:
                # Without the read ahead this would wait for ever: nothing asks for n + 1 yet.
                await asyncio.wait_for(started[n + 1].wait(), timeout=5)
            seen.append(n)
    assert seen == [0, 1, 2, 3]


async def test_an_error_in_the_source_reaches_the_caller_after_the_items_before_it() -> None:
    async def source() -> AsyncIterator[int]:
        yield 1
        raise ValueError("broken record")

    seen: list[int] = []

    async def consume() -> None:
        async with contextlib.aclosing(one_ahead(source())) as items:
            async for n in items:
                seen.append(n)

    with pytest.raises(ValueError, match="broken record"):
        await consume()
    assert seen == [1]


async def test_a_caller_that_stops_early_stops_the_read_ahead_and_closes_the_source() -> None:
    closed = asyncio.Event()
    asked_for: list[int] = []

    async def source() -> AsyncIterator[int]:
        try:
            for n in range(1_000):
                asked_for.append(n)
                yield n
        finally:
            closed.set()

    async def consume() -> None:
        async with contextlib.aclosing(one_ahead(source())) as items:
            async for _ in items:
                raise RuntimeError("apply failed")

    with pytest.raises(RuntimeError, match="apply failed"):
        await consume()
    assert closed.is_set()
    assert len(asked_for) <= 2  # the item in hand and the one read ahead, no more


# --- RebuildInbox ------------------------------------------------------------------------------

GROUP = "reporting.kpi"


def _event() -> MemberRetiredV1:
    return MemberRetiredV1(
        member_id=uuid4(),
        region_code="230302",
        occurred_at=datetime(2026, 5, 1, tzinfo=UTC),
        retired_on=date(2026, 5, 1),
    )


def _batch(*events: MemberRetiredV1) -> ParsedBatch:
    async def handler(event: Any, uow: Any) -> None:
        return None

    parsed = [ParsedEvent(i, None, {}, e, handler) for i, e in enumerate(events)]  # type: ignore[arg-type]
    return ParsedBatch(len(events), parsed)


def _ids(batch: ParsedBatch) -> list[object]:
    return [p.event.event_id for p in batch.parsed]


def test_a_second_copy_in_the_same_batch_is_a_duplicate() -> None:
    a, b = _event(), _event()
    batch = RebuildInbox(GROUP).fresh(_batch(a, b, a))
    assert _ids(batch) == [a.event_id, b.event_id]
    assert batch.outcomes == {2: ("duplicate", "members.member.retired.v1")}


def test_what_an_earlier_batch_applied_is_a_duplicate_later_and_a_dead_lettered_one_is_not() -> (
    None
):
    inbox = RebuildInbox(GROUP)
    applied, dead = _event(), _event()
    first = inbox.fresh(_batch(applied, dead))
    inbox.remember(first, ["applied", "dead_lettered"])
    second = inbox.fresh(_batch(dead, applied))
    # As the inbox table would: only what committed as applied is claimed.
    assert _ids(second) == [dead.event_id]
    assert second.outcomes == {1: ("duplicate", "members.member.retired.v1")}


async def test_save_writes_each_applied_event_once_under_its_group() -> None:
    inbox = RebuildInbox(GROUP)
    a, b, c = _event(), _event(), _event()
    first = inbox.fresh(_batch(a, b))
    inbox.remember(first, ["applied", "applied"])
    written: list[list[tuple[object, ...]]] = []

    class Conn:
        async def copy_records_to_table(self, table: str, **kw: Any) -> None:
            assert table == "inbox_message"
            assert kw["columns"] == ["consumer_group", "event_id", "event_type"]
            written.append(list(kw["records"]))

    conn = cast(DbConnection, Conn())
    await inbox.save(conn)
    second = inbox.fresh(_batch(c))
    inbox.remember(second, ["applied"])
    await inbox.save(conn)
    await inbox.save(conn)  # nothing new: no COPY at all
    kind = "members.member.retired.v1"
    assert written == [
        [(GROUP, a.event_id, kind), (GROUP, b.event_id, kind)],
        [(GROUP, c.event_id, kind)],
    ]


# --- dealing partitions out to workers --------------------------------------------------------


def test_each_partition_with_records_left_goes_to_exactly_one_worker() -> None:
    tps = [TopicPartition(t, p) for t in ("visits.visit", "visits.concern") for p in range(3)]
    positions = {tp: 10 for tp in tps}
    targets = {tp: 20 for tp in tps}
    targets[TopicPartition("visits.concern", 1)] = 10  # nothing left there

    spans = deal(positions, targets, 2)

    assert len(spans) == 2
    dealt = [tp for span_positions, _ in spans for tp in span_positions]
    assert sorted(dealt) == sorted(tp for tp in tps if targets[tp] > positions[tp])
    assert len(dealt) == len(set(dealt))
    for span_positions, span_targets in spans:
        assert set(span_positions) == set(span_targets)
        assert all(span_targets[tp] == 20 and span_positions[tp] == 10 for tp in span_positions)
    # Balanced: five partitions into two hands of three and two.
    assert sorted(len(p) for p, _ in spans) == [2, 3]


def test_no_more_workers_than_partitions_with_records_left() -> None:
    tp = TopicPartition("visits.visit", 0)
    assert deal({tp: 0}, {tp: 5}, 4) == [({tp: 0}, {tp: 5})]
    assert deal({tp: 5}, {tp: 5}, 4) == []
