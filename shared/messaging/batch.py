"""Applying a fetched batch of messages in one transaction: one DB commit, one offset commit.

What makes it safe is the same as one at a time: the inbox claims every event id inside the
transaction, and the offsets are committed only after it. If anything in the batch fails for a
reason other than the database being away, the batch is rolled back and replayed one message
at a time, so a single poison message reaches the DLQ and its neighbours still apply.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from opentelemetry import trace

from shared.contracts.base import IntegrationEvent
from shared.contracts.envelope import MalformedMessage, UnknownEventType, decode, decode_headers
from shared.faults import failpoint
from shared.logging import get_logger
from shared.messaging.consumer import (
    TRANSIENT_ERRORS,
    EventHandler,
    IdempotentConsumer,
    InboundRecord,
    foreign_tenant,
)
from shared.metrics import EVENTS_HANDLED
from shared.telemetry import context_from_headers, tracer

log = get_logger(__name__)
_MAX_TRANSIENT_BACKOFF = 5.0
# A thousand records: some 10-20 ms of decoding.
_DECODED_BETWEEN_YIELDS = 1000


@dataclass(frozen=True)
class ParsedEvent:
    index: int
    record: InboundRecord
    headers: dict[str, str]
    event: IntegrationEvent
    handler: EventHandler


@dataclass
class ParsedBatch:
    """A batch after decoding: what will be applied, and the outcomes of what will not."""

    size: int
    parsed: list[ParsedEvent] = field(default_factory=list)
    outcomes: dict[int, tuple[str, str]] = field(default_factory=dict)


async def handle_batch(consumer: IdempotentConsumer, records: Sequence[InboundRecord]) -> list[str]:
    """Outcomes in the order of `records` (applied, duplicate, dead_lettered, ...)."""
    return await apply_batch(consumer, await parse_batch(consumer, records))


async def parse_batch(
    consumer: IdempotentConsumer, records: Sequence[InboundRecord]
) -> ParsedBatch:
    """Decode every record; the unreadable and foreign ones go to the DLQ here.

    Apart from `apply_batch` so a reader can decode the next batch while the database works on
    this one (the rebuild does)."""
    batch = ParsedBatch(len(records))
    for index, record in enumerate(records):
        if index % _DECODED_BETWEEN_YIELDS == _DECODED_BETWEEN_YIELDS - 1:
            # A big batch decodes for a second or more: let the loop answer the database (and
            # Kafka) in between, so a reader decoding ahead does not stall the writer.
            await asyncio.sleep(0)
        headers = decode_headers(record.headers)
        try:
            event = decode(record.value, headers)
        except UnknownEventType as exc:
            log.info("unknown event type acknowledged", event_type=str(exc), topic=record.topic)
            batch.outcomes[index] = ("unknown_type", str(exc))
            continue
        except MalformedMessage as exc:
            await consumer.dead_letter(record, headers, str(exc))
            batch.outcomes[index] = ("dead_lettered", headers.get("ce_type", "unknown"))
            continue
        handler = consumer.handler_for(event)
        if handler is None:
            batch.outcomes[index] = ("not_subscribed", event.event_type_name)
            continue
        if reason := foreign_tenant(consumer.settings, event):
            await consumer.dead_letter(record, headers, reason)
            batch.outcomes[index] = ("dead_lettered", event.event_type_name)
            continue
        batch.parsed.append(ParsedEvent(index, record, headers, event, handler))
    return batch


async def apply_batch(consumer: IdempotentConsumer, batch: ParsedBatch) -> list[str]:
    """One transaction for the parsed events (one by one if it fails); outcomes in order."""
    outcomes = dict(batch.outcomes)
    if batch.parsed:
        outcomes.update(await _apply(consumer, batch.parsed))
    settings = consumer.settings
    for (outcome, event_type), count in Counter(outcomes.values()).items():
        EVENTS_HANDLED.labels(settings.service, settings.group, event_type, outcome).inc(count)
    return [outcomes[i][0] for i in range(batch.size)]


async def _apply(
    consumer: IdempotentConsumer, parsed: list[ParsedEvent]
) -> dict[int, tuple[str, str]]:
    attempt = 0
    while True:
        try:
            return await _apply_in_one_transaction(consumer, parsed)
        except TRANSIENT_ERRORS as exc:
            attempt += 1
            base = consumer.settings.retry_base_seconds
            delay = min(_MAX_TRANSIENT_BACKOFF, base * 2**attempt)
            log.warning("transient failure in batch, retrying", error=repr(exc), retry_in=delay)
            await asyncio.sleep(delay)
        except Exception as exc:
            log.warning("batch failed, replaying one by one", error=repr(exc), size=len(parsed))
            return {
                p.index: (
                    await consumer.apply_one(p.event, p.handler, p.record, p.headers),
                    p.event.event_type_name,
                )
                for p in parsed
            }


async def _apply_in_one_transaction(
    consumer: IdempotentConsumer, parsed: list[ParsedEvent]
) -> dict[int, tuple[str, str]]:
    outcomes: dict[int, tuple[str, str]] = {}
    async with consumer.unit_of_work() as uow:
        claimed = await consumer.inbox.claim(
            uow.connection,
            group=consumer.settings.group,
            events=[(p.event.event_id, p.event.event_type_name) for p in parsed],
        )
        fresh: list[ParsedEvent] = []
        for p in parsed:
            if p.event.event_id in claimed:
                claimed.discard(p.event.event_id)  # the same event twice in a batch: once
                fresh.append(p)
            else:
                outcomes[p.index] = ("duplicate", p.event.event_type_name)
        for run in _runs(consumer, fresh):
            await _apply_run(consumer, run, uow)
            outcomes.update({p.index: ("applied", p.event.event_type_name) for p in run})
        failpoint("consumer.before_db_commit")
        await uow.commit()
    failpoint("consumer.after_db_commit")
    return outcomes


def _runs(consumer: IdempotentConsumer, parsed: list[ParsedEvent]) -> list[list[ParsedEvent]]:
    """Consecutive events whose types share one set-based handler form one run (a handler may
    take a family: every event of a concern's lifecycle); every other event is a run of one.
    Runs keep the batch's order, so each key's events stay in order."""
    runs: list[list[ParsedEvent]] = []
    for p in parsed:
        handler = consumer.batch_handler_for(p.event)
        if (
            handler is not None
            and runs
            and consumer.batch_handler_for(runs[-1][-1].event) == handler
        ):
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


async def _apply_run(consumer: IdempotentConsumer, run: list[ParsedEvent], uow: object) -> None:
    first = run[0]
    with tracer(__name__).start_as_current_span(
        f"{first.record.topic} process",
        context=context_from_headers(first.headers),
        kind=trace.SpanKind.CONSUMER,
    ):
        batch_handler = consumer.batch_handler_for(first.event)
        if batch_handler is not None:
            await batch_handler([p.event for p in run], uow)
        else:
            await first.handler(first.event, uow)
