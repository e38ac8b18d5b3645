"""Dead letters: a message that cannot be applied goes to `<topic>.dlq`, the reason in headers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaProducer

from shared.contracts.topics import dlq_name
from shared.logging import get_logger, redact_text
from shared.messaging.producer import encode_headers
from shared.metrics import DLQ_MESSAGES

log = get_logger(__name__)


class DeadLetters:
    def __init__(self, producer: AIOKafkaProducer, *, service: str) -> None:
        self._producer = producer
        self._service = service

    async def send(self, record: Any, headers: dict[str, str], *, reason: str, group: str) -> None:
        """Publish and wait for the broker's ack, so the original offset may then be committed."""
        topic = dlq_name(record.topic)
        reason = redact_text(reason)[:1000]
        dlq_headers = {
            **headers,
            "dlq_reason": reason,
            "dlq_original_topic": record.topic,
            "dlq_original_partition": str(record.partition),
            "dlq_original_offset": str(record.offset),
            "dlq_consumer_group": group,
            "dlq_failed_at": datetime.now(UTC).isoformat(),
        }
        await self._producer.send_and_wait(
            topic, value=record.value, key=record.key, headers=encode_headers(dlq_headers)
        )
        DLQ_MESSAGES.labels(self._service, record.topic).inc()
        log.warning("message dead-lettered", dlq_topic=topic, reason=reason)
