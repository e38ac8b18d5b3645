"""The bulk's read, decode and apply loop: the rebuild's own process and its workers run it."""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

from services.reporting.rebuild.apply import RebuildInbox, apply_fresh, in_handler_order, one_ahead
from services.reporting.rebuild.reader import Offsets, TopicReader
from shared.messaging.batch import ParsedBatch, parse_batch
from shared.messaging.consumer import IdempotentConsumer
from shared.runtime import ConsumerSpec


class Tally(Protocol):
    """What the loop counts: records read, their outcomes, seconds spent applying them."""

    events: int
    outcomes: Counter[str]
    applying_seconds: float


async def advance(
    reader: TopicReader,
    spec: ConsumerSpec[Any],
    consumer: IdempotentConsumer,
    inbox: RebuildInbox,
    span: tuple[Offsets, Offsets],
    batch_size: int,
    tally: Tally,
    on_batch: Callable[[int], None],
) -> None:
    """Every record of `span` (positions, moved along; targets, not included) applied in
    batches of about `batch_size`, the next batch read and decoded while Postgres applies
    this one; if applying fails, aclosing stops that read before the error goes on."""
    positions, targets = span

    async def decoded() -> AsyncIterator[ParsedBatch]:
        async for records in reader.read(positions, targets, batch_size=batch_size):
            yield in_handler_order(spec, await parse_batch(consumer, records))

    async with contextlib.aclosing(one_ahead(decoded())) as batches:
        async for batch in batches:
            tally.events += batch.size
            started = time.perf_counter()
            tally.outcomes.update(await apply_fresh(consumer, inbox, batch))
            tally.applying_seconds += time.perf_counter() - started
            on_batch(batch.size)
