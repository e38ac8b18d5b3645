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
        await _wait_until_served(bootstrap, [prefix + t.name for t in topics], timeout=timeout)
        yield Namespace(
            bootstrap=bootstrap,
            topic_prefix=prefix,
            database_urls={service: f"{dsn_base}/{name}" for service, name in names.items()},
        )
    finally:
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        await _delete_topics(bootstrap, [prefix + t.name for t in topics])


async def _wait_until_served(bootstrap: str, names: list[str], *, timeout: float) -> None:
    """Until every partition's leader answers: a new topic's first sends would else retry."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:

        async def partitions() -> list[TopicPartition]:
            await consumer.topics()  # refreshes the metadata
            found = {name: consumer.partitions_for_topic(name) or set() for name in names}
            if not all(found.values()):
                return []
            return [TopicPartition(n, p) for n, ps in found.items() for p in ps]

        known = await eventually(partitions, bool, timeout=timeout, what="topic metadata")
        await consumer.end_offsets(known)  # retries by itself until every leader answers
    finally:
        await consumer.stop()


async def _delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="bench-cleanup")
    await admin.start()
    try:
        with contextlib.suppress(KafkaError):  # cleanup only: a leftover topic harms no one
            await admin.delete_topics(names)
    finally:
        await admin.close()


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
