"""Create every topic of the plan (idempotently): brokers never auto-create topics here."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import Iterable, Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.contracts.topics import ALL_TOPICS, TopicSpec
from shared.messaging.security import KafkaConnection


async def ensure_topics(
    connection: KafkaConnection | str,
    topics: Iterable[TopicSpec] = ALL_TOPICS,
    *,
    replication: int = 1,
    prefix: str = "",
) -> list[str]:
    """Create what is missing; returns the names created. Existing topics are left as they are.

    A bare bootstrap string connects PLAINTEXT (docker-compose, `make run`, the test stack).
    """
    if isinstance(connection, str):
        connection = KafkaConnection(connection)
    topics = [TopicSpec(prefix + t.name, t.partitions, t.retention_ms) for t in topics]
    admin = AIOKafkaAdminClient(
        bootstrap_servers=connection.bootstrap_servers,
        client_id="topic-setup",
        **connection.aiokafka_kwargs(),
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if not missing:
            return []
        new = [
            NewTopic(
                name=t.name,
                num_partitions=t.partitions,
                replication_factor=replication,
                topic_configs={"retention.ms": str(t.retention_ms)},
            )
            for t in missing
        ]
        with contextlib.suppress(TopicAlreadyExistsError):  # another replica was first
            await admin.create_topics(new)
        return [t.name for t in missing]
    finally:
        await admin.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Create the platform's Kafka topics.")
    parser.add_argument("--bootstrap-servers", default="127.0.0.1:9092")
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--prefix", default="", help="the services' KAFKA_TOPIC_PREFIX")
    args = parser.parse_args(argv)
    created = asyncio.run(
        ensure_topics(
            args.bootstrap_servers, replication=args.replication_factor, prefix=args.prefix
        )
    )
    print(f"created {len(created)} topics" + (f": {', '.join(created)}" if created else ""))


if __name__ == "__main__":
    main()
