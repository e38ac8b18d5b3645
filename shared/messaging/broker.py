"""The FastStream broker a service starts in its lifespan, and how consumers attach to it."""

from __future__ import annotations

import logging
from typing import Any

from aiokafka import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.message import KafkaMessage as KafkaStreamMessage

from shared.messaging.consumer import IdempotentConsumer
from shared.metrics import CONSUMER_LAG


def create_broker(bootstrap_servers: str, *, client_id: str) -> KafkaBroker:
    # FastStream's own per-message INFO lines would double our structured ones.
    return KafkaBroker(
        bootstrap_servers, client_id=client_id, log_level=logging.DEBUG, graceful_timeout=15.0
    )


async def _raw_body(msg: KafkaStreamMessage, _original: Any = None) -> bytes:
    """Hand the handler bytes: parsing (and its failures) is ours, so poison reaches the DLQ."""
    return msg.body


def attach_consumer(broker: KafkaBroker, consumer: IdempotentConsumer, *topics: str) -> None:
    """Subscribe `consumer` to `topics`. ACK commits the offset after the handler returns."""

    async def on_message(body: bytes, message: KafkaMessage) -> None:
        record = message.raw_message
        await consumer.handle(record)  # type: ignore[arg-type]
        _record_lag(message, record, consumer)

    broker.subscriber(
        *topics,
        group_id=consumer.settings.group,
        ack_policy=AckPolicy.ACK,
        auto_offset_reset="earliest",
        decoder=_raw_body,
    )(on_message)


def _record_lag(message: Any, record: Any, consumer: IdempotentConsumer) -> None:
    """Lag from the fetch's high watermark: free (no broker call), exact enough for scaling."""
    kafka_consumer = getattr(message, "consumer", None)
    highwater = getattr(kafka_consumer, "highwater", None)
    if highwater is None:
        return
    end = highwater(TopicPartition(record.topic, record.partition))
    if end is not None:
        settings = consumer.settings
        CONSUMER_LAG.labels(
            settings.service, settings.group, record.topic, str(record.partition)
        ).set(max(0, end - record.offset - 1))
