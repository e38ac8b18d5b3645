"""The FastStream broker a service starts in its lifespan, and how consumers attach to it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.message import KafkaMessage as KafkaStreamMessage

from shared.logging import get_logger
from shared.messaging.batch import handle_batch
from shared.messaging.consumer import IdempotentConsumer
from shared.messaging.security import KafkaConnection
from shared.metrics import CONSUMER_LAG

SESSION_TIMEOUT_MS = 10_000
HEARTBEAT_INTERVAL_MS = 3_000
# Between two readings of a batch that could not be handled.
BATCH_RETRY_PAUSE_SECONDS = 1.0
log = get_logger(__name__)


def create_broker(connection: KafkaConnection, *, client_id: str) -> KafkaBroker:
    # FastStream's own per-message INFO lines would double our structured ones.
    return KafkaBroker(
        # FastStream wraps a string in a list as one address, so "a:9092,b:9092" (a cluster)
        # would be looked up as a single host name: hand it the addresses one by one.
        [server.strip() for server in connection.bootstrap_servers.split(",")],
        client_id=client_id,
        security=connection.faststream_security(),
        log_level=logging.DEBUG,
        graceful_timeout=15.0,
        # Topics come from the plan (shared/contracts/topics.py) with their partitions and
        # retention; a subscriber must never create one with defaults behind the plan's back.
        allow_auto_create_topics=False,
    )


async def _raw_body(msg: KafkaStreamMessage, _original: Any = None) -> bytes:
    """Hand the handler bytes: parsing (and its failures) is ours, so poison reaches the DLQ."""
    return msg.body


def attach_consumer(
    broker: KafkaBroker,
    consumer: IdempotentConsumer,
    *topics: str,
    group_id: str,
    max_records: int = 500,
) -> None:
    """Subscribe `consumer` to `topics` as Kafka's `group_id`, a fetched batch at a time.

    The batch's offsets are committed after the handler returns, and it returns only once
    every message is applied, skipped as a duplicate, or dead-lettered. If it raises (the DLQ
    unreachable, say), NACK_ON_ERROR rewinds every partition of the batch to its first record
    so it is read again: FastStream's ACK policy would commit the offsets on an error too,
    losing the whole batch. What was applied already is skipped by the inbox the second time.
    """

    async def on_batch(bodies: list[bytes], message: KafkaMessage) -> None:
        records = list(message.raw_message)
        try:
            await handle_batch(consumer, records)
        except Exception:
            log.exception("batch not handled: it will be read again", size=len(records))
            # A failure that lasts (the DLQ's leader away) must not spin on the same batch.
            await asyncio.sleep(BATCH_RETRY_PAUSE_SECONDS)
            raise
        _record_lag(message, records, consumer)

    broker.subscriber(
        *topics,
        group_id=group_id,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        batch=True,
        max_records=max_records,
        batch_timeout_ms=100,
        # Heartbeats come from aiokafka's coordinator task, not from the handler, so a long
        # batch (a policy reaching a whole sector) does not miss them: max_poll_interval_ms
        # (5 min) bounds the handler. A short session lets a replacement take a killed
        # replica's partitions within ~10 s instead of waiting 45 s for it to be declared dead.
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=HEARTBEAT_INTERVAL_MS,
        decoder=_raw_body,
    )(on_batch)


def _record_lag(message: Any, records: list[Any], consumer: IdempotentConsumer) -> None:
    """Lag from the fetch's high watermark: free (no broker call), exact enough for scaling."""
    highwater = getattr(getattr(message, "consumer", None), "highwater", None)
    if highwater is None:
        return
    last = {(r.topic, r.partition): r.offset for r in records}  # records are in offset order
    settings = consumer.settings
    for (topic, partition), offset in last.items():
        end = highwater(TopicPartition(topic, partition))
        if end is not None:
            CONSUMER_LAG.labels(settings.service, settings.group, topic, str(partition)).set(
                max(0, end - offset - 1)
            )
