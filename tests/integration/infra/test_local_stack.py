"""The local runners start real Kafka and PostgreSQL, idempotently, and survive a leader kill."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from deploy.local._kafka_config import new_cluster_id
from deploy.local._process import pid_alive
from deploy.local.kafka import FAST_START_JVM_OPTIONS, KAFKA_VERSION, KafkaCluster
from deploy.local.kafka_libs import kafka_version_in_pom
from deploy.local.postgres import PostgresCluster
from deploy.local.stack import DEFAULT_DATABASES, StackInfo, running_stack, stop_stack


async def _create_topic(bootstrap: str, topic: str, replicas: int, **configs: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        new = NewTopic(topic, num_partitions=1, replication_factor=replicas, topic_configs=configs)
        response = await admin.create_topics([new])
        assert [error for _, error, *_ in response.topic_errors] == [0]
    finally:
        await admin.close()


async def _produce(bootstrap: str, topic: str, values: list[str]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value.encode(), key=b"k")
    finally:
        await producer.stop()


async def _consume_in_group(bootstrap: str, topic: str, count: int) -> list[str]:
    # A consumer group exercises the __consumer_offsets topic and its replication settings.
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id="infra-test", auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        received: list[str] = []
        async with asyncio.timeout(60):
            while len(received) < count:
                batches = await consumer.getmany(timeout_ms=1000)
                received += [m.value.decode() for batch in batches.values() for m in batch]
        await consumer.commit()
        return received
    finally:
        await consumer.stop()


async def _read_partition(bootstrap: str, topic: str) -> list[str]:
    """Everything in partition 0, from the first offset to the current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        end = (await consumer.end_offsets([partition]))[partition]
        received: list[str] = []
        async with asyncio.timeout(60):
            while await consumer.position(partition) < end:
                batches = await consumer.getmany(partition, timeout_ms=1000)
                received += [m.value.decode() for m in batches.get(partition, [])]
        return received
    finally:
        await consumer.stop()


async def _leader_of_partition_zero(bootstrap: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
        partitions: list[dict[str, Any]] = described["partitions"]
        return int(next(p["leader"] for p in partitions if p["partition"] == 0))
    finally:
        await admin.close()


async def _database_names(dsn: str) -> set[str]:
    connection = await asyncpg.connect(dsn)
    try:
        assert await connection.fetchval("select 1") == 1
        return {row["datname"] for row in await connection.fetch("select datname from pg_database")}
    finally:
        await connection.close()


def _pids(stack: StackInfo) -> list[int | None]:
    return [*map(stack.kafka.node_pid, stack.kafka.node_ids), stack.postgres.postmaster_pid()]


def test_kafka_version_matches_the_pom() -> None:
    assert kafka_version_in_pom() == KAFKA_VERSION


def test_cluster_ids_are_22_characters_and_never_look_like_an_option() -> None:
    ids = [new_cluster_id() for _ in range(2000)]
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)


@pytest.fixture
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackInfo]:
    """A stack of this test's own (not the session's), since the test stops it."""
    state_dir = tmp_path_factory.mktemp("stack")
    with running_stack(
        state_dir, postgres_settings={"fsync": "off"}, kafka_jvm_options=FAST_START_JVM_OPTIONS
    ) as info:
        yield info
    # Root runs keep Postgres data outside tmp_path (the postgres user's home); do not leak it.
    shutil.rmtree(info.postgres.base_dir, ignore_errors=True)


def test_single_node_stack_serves_kafka_and_postgres_and_a_second_start_changes_nothing(
    own_stack: StackInfo,
) -> None:
    stack = own_stack
    asyncio.run(_create_topic(stack.kafka_bootstrap, "infra.smoke", replicas=1))
    asyncio.run(_produce(stack.kafka_bootstrap, "infra.smoke", ["hello", "world"]))
    received = asyncio.run(_consume_in_group(stack.kafka_bootstrap, "infra.smoke", 2))
    assert received == ["hello", "world"]

    names = asyncio.run(_database_names(stack.databases["members"]))
    assert set(DEFAULT_DATABASES) <= names

    pids = _pids(stack)
    assert None not in pids
    stack.kafka.start()
    stack.postgres.start()
    assert _pids(stack) == pids

    stop_stack(stack.kafka, stack.postgres)
    assert not any(pid_alive(pid) for pid in pids if pid is not None)


def test_postgres_starts_again_after_its_postmaster_is_killed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    postgres = PostgresCluster(tmp_path_factory.mktemp("pg"), extra_settings={"fsync": "off"})
    try:
        postgres.start()
        postgres.ensure_databases(["visits"])
        postgres.kill()
        assert postgres.postmaster_pid() is None
        # The dead postmaster's PID lingers as a zombie until init reaps it; start must cope.
        postgres.start()
        assert "visits" in asyncio.run(_database_names(postgres.dsn("visits")))
    finally:
        postgres.stop()
        shutil.rmtree(postgres.base_dir, ignore_errors=True)


def test_three_node_cluster_loses_no_acknowledged_write_when_the_leader_is_killed(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    state_dir = tmp_path_factory.mktemp("kafka3")
    cluster = KafkaCluster(state_dir, nodes=3, jvm_options=FAST_START_JVM_OPTIONS)
    topic = "infra.failover"
    try:
        cluster.start()
        bootstrap = cluster.bootstrap_servers
        asyncio.run(_create_topic(bootstrap, topic, replicas=3, **{"min.insync.replicas": "2"}))
        before = [f"before-{i}" for i in range(20)]
        asyncio.run(_produce(bootstrap, topic, before))

        leader = asyncio.run(_leader_of_partition_zero(bootstrap, topic))
        cluster.kill_node(leader)
        # No tuned timeouts: the producer retries until the controller fences the dead
        # broker (broker.session.timeout.ms, 9 s) and a surviving replica leads.
        after = [f"after-{i}" for i in range(20)]
        asyncio.run(_produce(bootstrap, topic, after))

        cluster.start_node(leader)
        assert asyncio.run(_read_partition(bootstrap, topic)) == before + after
    finally:
        pids = [pid for pid in map(cluster.node_pid, cluster.node_ids) if pid is not None]
        cluster.stop()
    assert not any(pid_alive(pid) for pid in pids)
