"""The baseline: a bare aiokafka producer and consumer moving the same messages, no database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.workload import WireMessage
from shared.messaging.producer import create_producer
from shared.messaging.security import KafkaConnection
from tests.support.wait import eventually


@dataclass(frozen=True)
class BaselineResult:
    produce_s: float
    consume_s: float

    @property
    def end_to_end_s(self) -> float:
        return self.produce_s + self.consume_s


async def run_baseline(
    bootstrap: str, topic: str, messages: Sequence[WireMessage], *, timeout: float
) -> BaselineResult:
    """Produce every message (acks=all, idempotent), then read them all back in a group.

    The consumer joins first and holds its partitions paused, so neither the group join nor
    a prefetch during producing is counted, just as the platform's consumer is joined before
    its relay starts.
    """
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"{topic}.reader", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = await _joined_and_paused(consumer, timeout=timeout)
        produce_s = await _produce(bootstrap, topic, messages)
        consume_s = await _consume(consumer, partitions, len(messages))
    finally:
        await consumer.stop()
    return BaselineResult(produce_s, consume_s)


async def _joined_and_paused(consumer: AIOKafkaConsumer, *, timeout: float) -> set[TopicPartition]:
    async def assignment() -> set[TopicPartition]:
        return set(consumer.assignment())

    partitions = await eventually(assignment, bool, timeout=timeout, what="baseline assignment")
    consumer.pause(*partitions)
    return partitions


async def _produce(bootstrap: str, topic: str, messages: Sequence[WireMessage]) -> float:
    # The services' own producer settings, so the relay and the baseline send alike.
    producer = create_producer(KafkaConnection(bootstrap), client_id="bench-baseline")
    await producer.start()
    try:
        started = time.perf_counter()
        acks = [
            await producer.send(topic, value=m.value, key=m.key, headers=m.headers)
            for m in messages
        ]
        await asyncio.gather(*acks)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def _consume(
    consumer: AIOKafkaConsumer, partitions: set[TopicPartition], count: int
) -> float:
    started = time.perf_counter()
    consumer.resume(*partitions)
    seen = 0
    while seen < count:
        batches = await consumer.getmany(timeout_ms=1000)
        seen += sum(len(records) for records in batches.values())
    return time.perf_counter() - started
