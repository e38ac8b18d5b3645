"""A private corner of a shared stack per run: fresh databases, prefixed topics and groups."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from shared.contracts.topics import TopicSpec
from shared.messaging.topics import ensure_topics
from tests.support.kafka import delete_topics
from tests.support.wait import eventually


@dataclass(frozen=True)
class Namespace:
    bootstrap: str
    topic_prefix: str
    database_urls: dict[str, str]

    def topic(self, name: str) -> str:
        return self.topic_prefix + name


@contextlib.asynccontextmanager
async def fresh_namespace(
    bootstrap: str,
    dsn_base: str,
    *,
    services: Sequence[str],
    topics: Sequence[TopicSpec],
    timeout: float,
) -> AsyncIterator[Namespace]:
    """Create the databases and topics, wait until the topics are served; clean up after."""
    tag = "bench" + secrets.token_hex(4)
    names = {service: f"{tag}_{service}" for service in services}
    prefix = f"{tag}."
    admin = await asyncpg.connect(f"{dsn_base}/postgres")
    try:
        for name in names.values():
            await admin.execute(f'CREATE DATABASE "{name}"')
        await ensure_topics(bootstrap, topics, prefix=prefix)
        served = [TopicPartition(prefix + t.name, p) for t in topics for p in range(t.partitions)]
        await _wait_until_served(bootstrap, served, timeout=timeout)
        yield Namespace(
            bootstrap=bootstrap,
            topic_prefix=prefix,
            database_urls={service: f"{dsn_base}/{name}" for service, name in names.items()},
        )
    finally:
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        with contextlib.suppress(KafkaError):  # a leftover topic harms no one; keep the result
            await delete_topics(bootstrap, prefix=prefix)


async def _wait_until_served(
    bootstrap: str, partitions: list[TopicPartition], *, timeout: float
) -> None:
    """Until every partition's leader answers; a new topic's first sends would otherwise retry."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()

    async def served() -> bool:
        try:
            # Refreshes metadata and retries by itself until every leader has answered.
            await consumer.end_offsets(partitions)
        except KafkaError:  # its own patience (the request timeout) ran out first
            return False
        return True

    try:
        await eventually(served, bool, timeout=timeout, what="new topics served")
    finally:
        await consumer.stop()


async def wait_until_group_stable(bootstrap: str, group: str, *, timeout: float) -> None:
    """Poll the broker until `group` has joined and its partitions are assigned."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-probe")
    await admin.start()
    try:
        await eventually(
            lambda: _group_state(admin, group),
            lambda state: state == "Stable",
            timeout=timeout,
            what=f"consumer group {group} stable",
        )
    finally:
        await admin.close()


async def _group_state(admin: AIOKafkaAdminClient, group: str) -> str:
    try:
        responses = await admin.describe_consumer_groups([group])
    except KafkaError as exc:  # the coordinator may still be loading its offsets partition
        return type(exc).__name__
    groups = responses[0].to_object()["groups"]
    return str(groups[0]["state"]) if groups and groups[0]["members"] else "no members"
