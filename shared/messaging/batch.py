"""Applying a fetched batch of messages in one transaction: one DB commit, one offset commit.

The one path every consumed record takes. What makes it safe: the inbox claims every event id
inside the transaction, and the offsets are committed only after it (once `handle_batch`
returns; if it raises, the subscriber rewinds to the batch's first records: broker.py). If
anything in the batch fails for a reason other than the database being away, the batch is
rolled back and replayed one message at a time, so a single poison message reaches the DLQ and
its neighbours still apply.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from opentelemetry import trace

from shared.contracts.base import IntegrationEvent
from shared.contracts.envelope import MalformedMessage, UnknownEventType, decode, decode_headers
from shared.faults import failpoint
from shared.logging import get_logger
from shared.messaging.consumer import (
    TRANSIENT_ERRORS,
    ConsumerSettings,
    IdempotentConsumer,
    InboundRecord,
    RejectEvent,
    foreign_tenant,
)
from shared.messaging.handlers import Handler
from shared.metrics import EVENTS_HANDLED, HANDLER_DURATION
from shared.telemetry import applying, context_from_headers, run_traces, tracer

log = get_logger(__name__)
# A thousand records: some 10-20 ms of decoding.
_DECODED_BETWEEN_YIELDS = 1000


@dataclass(frozen=True)
class ParsedEvent:
    index: int
    record: InboundRecord
    headers: dict[str, str]
    event: IntegrationEvent
    handler: Handler[Any, Any]


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
        except (UnknownEventType, MalformedMessage) as exc:
            batch.outcomes[index] = await _undecodable(consumer, record, headers, exc)
            continue
        handler = consumer.handler_for(event)
        if handler is None:
            batch.outcomes[index] = ("not_subscribed", event.event_type_name)
        elif reason := foreign_tenant(consumer.settings, event):
            with _at(record):
                await consumer.dead_letter(record, headers, reason)
            batch.outcomes[index] = ("dead_lettered", event.event_type_name)
        else:
            batch.parsed.append(ParsedEvent(index, record, headers, event, handler))
    return batch


async def _undecodable(
    consumer: IdempotentConsumer,
    record: InboundRecord,
    headers: dict[str, str],
    exc: UnknownEventType | MalformedMessage,
) -> tuple[str, str]:
    """An unknown type is acknowledged (a newer producer's); a malformed message is poison."""
    with _at(record):
        if isinstance(exc, UnknownEventType):
            log.info("unknown event type acknowledged", event_type=str(exc))
            return "unknown_type", str(exc)
        await consumer.dead_letter(record, headers, str(exc))
        return "dead_lettered", headers.get("ce_type", "unknown")


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
    # The batch's log lines name where it starts (its first record) and its size.
    with _at(parsed[0].record), structlog.contextvars.bound_contextvars(batch_size=len(parsed)):
        attempt = 0
        while True:
            try:
                return await _apply_in_one_transaction(consumer, parsed)
            except TRANSIENT_ERRORS as exc:
                attempt += 1
                await _wait_for_database(consumer.settings, attempt, exc)
            except Exception as exc:
                log.warning("batch failed, replaying one by one", error=repr(exc))
                return {
                    p.index: (await _apply_alone(consumer, p), p.event.event_type_name)
                    for p in parsed
                }


async def _apply_alone(consumer: IdempotentConsumer, p: ParsedEvent) -> str:
    """`p` in its own transaction: the database awaited without limit, a failing handler tried
    `max_attempts` times, then the DLQ (a rejected event at once)."""
    settings = consumer.settings
    failures = transient = 0
    with _at(p.record), structlog.contextvars.bound_contextvars(event_id=str(p.event.event_id)):
        while True:
            started = time.perf_counter()
            try:
                outcomes = await _apply_in_one_transaction(consumer, [p])
                return outcomes[p.index][0]
            except TRANSIENT_ERRORS as exc:
                transient += 1
                await _wait_for_database(settings, transient, exc)
            except RejectEvent as exc:
                return await consumer.dead_letter(p.record, p.headers, f"rejected: {exc}")
            except Exception as exc:
                failures += 1
                log.warning("handler failed", error=repr(exc), attempt=failures)
                if failures >= settings.max_attempts:
                    reason = f"handler failed: {exc!r}"
                    return await consumer.dead_letter(p.record, p.headers, reason)
                await asyncio.sleep(settings.retry_base_seconds * 2 ** (failures - 1))
            finally:
                elapsed = time.perf_counter() - started
                HANDLER_DURATION.labels(settings.service, settings.group).observe(elapsed)


async def _wait_for_database(settings: ConsumerSettings, attempt: int, exc: BaseException) -> None:
    delay = settings.transient_delay(attempt)
    log.warning("transient failure, retrying", error=repr(exc), retry_in=delay)
    await asyncio.sleep(delay)


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
        for run in _runs(fresh):
            await _apply_run(run, uow)
            outcomes.update({p.index: ("applied", p.event.event_type_name) for p in run})
        failpoint("consumer.before_db_commit")
        await uow.commit()
    failpoint("consumer.after_db_commit")
    return outcomes


def _runs(parsed: list[ParsedEvent]) -> list[list[ParsedEvent]]:
    """Consecutive events whose types share one handler form one run (a handler may take a
    family: every event of a concern's lifecycle). Runs keep the batch's order, so each key's
    events stay in order."""
    runs: list[list[ParsedEvent]] = []
    for p in parsed:
        if runs and runs[-1][-1].handler == p.handler:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


async def _apply_run(run: list[ParsedEvent], uow: object) -> None:
    first = run[0]
    with (
        _at(first.record),
        tracer(__name__).start_as_current_span(
            f"{first.record.topic} process",
            context=context_from_headers(first.headers),
            kind=trace.SpanKind.CONSUMER,
        ),
        # An event recorded while applying one of these continues that one's trace.
        applying(run_traces({p.event.event_id: p.headers for p in run})),
    ):
        await first.handler([p.event for p in run], uow)


@contextlib.contextmanager
def _at(record: InboundRecord) -> Iterator[None]:
    """Log lines in this block name `record`'s topic, partition and offset.

    Bound where something may log (a run, a replay, a dead letter), not for every decoded
    record: binding costs about 5 µs, a sixth of the 30 µs a rebuild spends on an event."""
    with structlog.contextvars.bound_contextvars(
        topic=record.topic, partition=record.partition, offset=record.offset
    ):
        yield
