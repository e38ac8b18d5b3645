"""The one Kafka producer a service owns: idempotent, acks=all (used by the relay and the DLQ)."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from shared.messaging.security import KafkaConnection


def create_producer(connection: KafkaConnection, *, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=connection.bootstrap_servers,
        **connection.aiokafka_kwargs(),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=5,
        request_timeout_ms=15_000,
        retry_backoff_ms=200,
    )


def encode_headers(headers: dict[str, str]) -> list[tuple[str, bytes]]:
    return [(name, value.encode()) for name, value in headers.items()]
