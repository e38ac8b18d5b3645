"""`python -m bench.policy_fanout`: one policy → an obligation per member of its sector.

The platform path: a real `members.policy.issued.v1` on Kafka, the real visits consumer opens
every obligation in one set-based transaction (with its outbox rows, by COPY), and the real
relay publishes every `visits.obligation.opened.v1`. Timed from the publish until the last
event is on the broker. The baseline, on the same Postgres and broker: a plain COPY of the same
rows into a bare table, plus a bare aiokafka produce of as many keyed messages.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.fanout_cli import run_fanout
from bench.namespace import fresh_namespace
from services.visits.consumers import members_events
from services.visits.main import MIGRATIONS
from services.visits.settings import VisitsSettings
from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import PolicyIssuedV1
from shared.contracts.topics import BUSINESS_TOPICS, MEMBERS_POLICY, VISITS_OBLIGATION, TopicSpec
from shared.runtime import running
from tests.support.kafka import topic_partitions
from tests.support.wait import eventually

JIXI_COUNTIES = ["230302", "230303", "230304", "230305", "230306", "230307", "230321", "230381"]
BASELINE_TOPIC = TopicSpec("bench.fanout-baseline", partitions=VISITS_OBLIGATION.partitions)


def main(argv: Sequence[str] | None = None) -> None:
    run_fanout(_measure, argv, description=__doc__.splitlines()[0], timeout=600.0)


async def _measure(
    bootstrap: str, dsn_base: str, members: int, others: int, timeout: float
) -> None:
    topics = [*BUSINESS_TOPICS, BASELINE_TOPIC]
    async with fresh_namespace(
        bootstrap, dsn_base, services=["visits"], topics=topics, timeout=timeout
    ) as ns:
        settings = VisitsSettings(
            database_url=ns.database_urls["visits"],
            kafka_bootstrap_servers=bootstrap,
            kafka_topic_prefix=ns.topic_prefix,
            relay_batch_size=2000,
        )
        async with running(
            settings, migrations_dir=MIGRATIONS, consumers=[members_events(settings)]
        ):
            conn = await asyncpg.connect(ns.database_urls["visits"])
            try:
                await _seed_roster(conn, members, others)
                platform = await _platform(conn, ns.topic_prefix, bootstrap, members, timeout)
                copy = await _copy_baseline(conn, members)
            finally:
                await conn.close()
        produce = await _produce_baseline(bootstrap, ns.topic(BASELINE_TOPIC.name), members)
    baseline = copy + produce
    print(f"policy fan-out to {members:,} members ({others:,} in other sectors)")
    print(f"  platform end to end : {platform:7.2f} s  {members / platform:9,.0f} obligations/s")
    print(f"  baseline COPY       : {copy:7.2f} s")
    print(f"  baseline produce    : {produce:7.2f} s")
    print(f"  baseline total      : {baseline:7.2f} s  {members / baseline:9,.0f} rows/s")
    print(f"RATIO platform/baseline time: {platform / baseline:.2f} (target: platform ≤ 60 s)")


async def _seed_roster(conn: asyncpg.Connection, members: int, others: int) -> None:
    now = datetime.now(UTC)
    rows = [
        (
            uuid.uuid4(),
            JIXI_COUNTIES[i % len(JIXI_COUNTIES)],
            "education" if i < members else "medicine_health",
            "cppcc-230300",
            now,
            "cppcc-230300-edu" if i % 3 else None,
            "active",
        )
        for i in range(members + others)
    ]
    await conn.copy_records_to_table(
        "member_roster",
        records=rows,
        columns=[
            "member_id",
            "region_code",
            "sector_code",
            "committee_code",
            "joined_at",
            "special_committee_code",
            "status",
        ],
    )
    await conn.execute("ANALYZE member_roster")


async def _platform(
    conn: asyncpg.Connection, prefix: str, bootstrap: str, members: int, timeout: float
) -> float:
    policy = PolicyIssuedV1(
        occurred_at=datetime.now(UTC),
        region_code="230000",
        occasion_id=uuid.uuid4(),
        title="关于进一步加强乡村教师队伍建设的意见",
        issued_on=date.today(),
        sector_codes=["education"],
        region_codes=["230300"],
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    started = time.perf_counter()
    try:
        await producer.send_and_wait(
            prefix + MEMBERS_POLICY.name,
            encode_body(policy),
            key=policy.partition_key().encode(),
            headers=[
                (k, v.encode()) for k, v in cloudevent_headers(policy, source="/bench").items()
            ],
        )
    finally:
        await producer.stop()
    await eventually(
        lambda: _on_broker(bootstrap, prefix + VISITS_OBLIGATION.name),
        lambda n: n >= members,
        timeout=timeout,
        interval=0.25,
        what="every obligation event on the broker",
    )
    elapsed = time.perf_counter() - started
    assert await conn.fetchval("SELECT count(*) FROM obligation") == members
    return elapsed


async def _on_broker(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = await topic_partitions(consumer, topic)
        return sum((await consumer.end_offsets(parts)).values())
    finally:
        await consumer.stop()


async def _copy_baseline(conn: asyncpg.Connection, members: int) -> float:
    await conn.execute("CREATE TABLE bare_obligation (LIKE obligation INCLUDING DEFAULTS)")
    now = datetime.now(UTC)
    rows = [
        (
            uuid.uuid4(),
            uuid.uuid4(),
            "230302",
            "education",
            "policy_issued",
            uuid.uuid4(),
            "关于进一步加强乡村教师队伍建设的意见",
            now,
            date.today(),
            date.today(),
        )
        for _ in range(members)
    ]
    columns = [
        "id",
        "member_id",
        "region_code",
        "sector_code",
        "occasion_kind",
        "source_id",
        "title",
        "opened_at",
        "counts_from",
        "due_on",
    ]
    started = time.perf_counter()
    await conn.copy_records_to_table("bare_obligation", records=rows, columns=columns)
    return time.perf_counter() - started


async def _produce_baseline(bootstrap: str, topic: str, count: int) -> float:
    body = b"x" * 420  # about the size of an obligation.opened body
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        started = time.perf_counter()
        futures = [await producer.send(topic, body, key=uuid.uuid4().bytes) for _ in range(count)]
        await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


if __name__ == "__main__":
    main()
