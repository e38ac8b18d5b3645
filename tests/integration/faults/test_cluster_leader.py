"""The leader broker of the busiest partition killed in a three-node cluster (RF 3, min ISR 2)
under load, then brought back: no acknowledged write lost, producers and consumers fail over and
recover by themselves (the same service processes throughout).

This module starts its own three-node stack (the session's is one node), about a minute.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from deploy.local.stack import StackInfo, running_stack
from shared.contracts.topics import ALL_TOPICS, VISITS_VISIT
from shared.messaging.topics import ensure_topics
from tests.support import tokens
from tests.support.faults import FaultRun
from tests.support.kafka import delete_topics
from tests.support.platform import SERVICES, Platform

_FAST_POSTGRES = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackInfo]:
    state = tmp_path_factory.mktemp("cluster3")
    with running_stack(state, kafka_nodes=3, postgres_settings=_FAST_POSTGRES) as info:
        yield info


@pytest.fixture
async def platform3(cluster: StackInfo, keys: tokens.TestKeys) -> AsyncIterator[Platform]:
    """Like tests.support.platform.fresh_platform, but every topic replicated three times."""
    tag = "t" + secrets.token_hex(4)
    admin = await asyncpg.connect(cluster.databases["members"])
    names = {service: f"{tag}_{service}" for service in SERVICES}
    try:
        for name in names.values():
            await admin.execute(f'CREATE DATABASE "{name}"')
        platform = Platform(
            stack=cluster,
            keys=keys,
            topic_prefix=f"{tag}.",
            database_urls={s: f"{cluster.postgres_dsn_base}/{n}" for s, n in names.items()},
        )
        await ensure_topics(
            cluster.kafka_bootstrap, ALL_TOPICS, replication=3, prefix=platform.topic_prefix
        )
        yield platform
    finally:
        await delete_topics(cluster.kafka_bootstrap, prefix=f"{tag}.")
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def leader_of(bootstrap: str, topic: str, partition: int) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        leader = consumer._client.cluster.leader_for_partition(TopicPartition(topic, partition))
        assert leader is not None
        assert leader >= 0
        return int(leader)
    finally:
        await consumer.stop()


@pytest.mark.timeout(600)  # three more JVMs to start on a shared two-core machine
async def test_leader_broker_killed_and_brought_back_loses_no_acknowledged_write(
    platform3: Platform, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    kafka = platform3.stack.kafka
    topic = platform3.topic(VISITS_VISIT.name)
    partition = rng.randrange(VISITS_VISIT.partitions)
    async with FaultRun(platform3, tmp_path, fault="", seed=seed) as run:
        pids = {
            s: [p.process.pid for p in ps if p.process] for s, ps in run.fleet.processes.items()
        }

        async def inject(r: FaultRun) -> int:
            node = await leader_of(platform3.stack.kafka_bootstrap, topic, partition)
            r.fault = f"kill -9 broker {node} (leader of {VISITS_VISIT.name}/{partition}) of 3"
            await asyncio.to_thread(kafka.kill_node, node)
            await r.wait_requests(rng.randint(40, 80))  # two of three brokers: min ISR still met
            await asyncio.to_thread(kafka.start_node, node)
            return 1

        report = await run.run(inject, before=40, after=80)
        after = {
            s: [p.process.pid for p in ps if p.process] for s, ps in run.fleet.processes.items()
        }
    print(report.summary())
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )
    assert after == pids, "no service was restarted"
