"""`python -m bench.notifications_fanout`: one policy → a notice in each member's inbox.

The platform path: a real `members.policy.issued.v1` on Kafka; the real notifications reactions
consumer finds the policy's audience in its recipient read model (seeded by COPY first), and
in one transaction inserts a notification per member, its in-app delivery row and its
`notifications.notification.delivered.v1` outbox row; the real relay then publishes those.
Timed from the publish until every notification is committed (*inboxes*), and until every
delivered event is on the broker (*end to end*). The baseline, on the same Postgres: a plain
COPY of the same notification rows into a bare table (no indexes, no constraints).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import asyncpg
from aiokafka import AIOKafkaProducer

from bench.fanout_cli import run_fanout
from bench.namespace import fresh_namespace
from bench.policy_fanout import JIXI_COUNTIES, _on_broker
from services.notifications.consumers import reactions
from services.notifications.handlers.notify import Notifier
from services.notifications.main import MIGRATIONS
from services.notifications.settings import NotificationsSettings
from services.notifications.templates import render
from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import PolicyIssuedV1
from shared.contracts.topics import BUSINESS_TOPICS, MEMBERS_POLICY, NOTIFICATIONS_NOTIFICATION
from shared.kernel import SystemClock
from shared.runtime import running
from tests.support.wait import eventually

TITLE = "关于进一步加强乡村教师队伍建设的意见"


def main(argv: Sequence[str] | None = None) -> None:
    run_fanout(_measure, argv, description=__doc__.splitlines()[0], timeout=900.0)


async def _measure(
    bootstrap: str, dsn_base: str, members: int, others: int, timeout: float
) -> None:
    async with fresh_namespace(
        bootstrap, dsn_base, services=["notifications"], topics=BUSINESS_TOPICS, timeout=timeout
    ) as ns:
        settings = NotificationsSettings(
            database_url=ns.database_urls["notifications"],
            kafka_bootstrap_servers=bootstrap,
            kafka_topic_prefix=ns.topic_prefix,
            relay_batch_size=2000,
        )
        notifier = Notifier(SystemClock(), timedelta(days=7))
        async with running(settings, migrations_dir=MIGRATIONS, consumers=[reactions(notifier)]):
            conn = await asyncpg.connect(ns.database_urls["notifications"])
            try:
                seed = await _seed_recipients(conn, members, others)
                inboxes, end_to_end = await _platform(
                    conn, ns.topic_prefix, bootstrap, members, timeout
                )
                copy = await _copy_baseline(conn, members)
            finally:
                await conn.close()
    print(f"policy fan-out to {members:,} inboxes ({others:,} members in other sectors)")
    print(f"  seed recipients COPY : {seed:7.2f} s  (not timed below)")
    print(f"  platform inboxes     : {inboxes:7.2f} s  {members / inboxes:9,.0f} notices/s")
    print(f"  platform end to end  : {end_to_end:7.2f} s  {members / end_to_end:9,.0f} notices/s")
    print(f"  baseline COPY        : {copy:7.2f} s  {members / copy:9,.0f} rows/s")
    print(f"RATIO platform inboxes/baseline COPY time: {inboxes / copy:.1f}")
    print(f"RATIO platform end-to-end/baseline COPY time: {end_to_end / copy:.1f}")


async def _seed_recipients(conn: asyncpg.Connection, members: int, others: int) -> float:
    now = datetime.now(UTC)
    rows = [
        (
            uuid.uuid4(),
            f"委员{i}",
            JIXI_COUNTIES[i % len(JIXI_COUNTIES)],
            "education" if i < members else "medicine_health",
            now,
            "active",
        )
        for i in range(members + others)
    ]
    started = time.perf_counter()
    await conn.copy_records_to_table(
        "recipient",
        records=rows,
        columns=[
            "member_id",
            "display_name",
            "region_code",
            "sector_code",
            "known_since",
            "status",
        ],
    )
    await conn.execute("ANALYZE recipient")
    return time.perf_counter() - started


async def _platform(
    conn: asyncpg.Connection, prefix: str, bootstrap: str, members: int, timeout: float
) -> tuple[float, float]:
    policy = PolicyIssuedV1(
        occurred_at=datetime.now(UTC),
        region_code="230000",
        occasion_id=uuid.uuid4(),
        title=TITLE,
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

    async def count() -> int:
        return int(await conn.fetchval("SELECT count(*) FROM notification"))

    await eventually(
        count, lambda n: n >= members, timeout=timeout, interval=0.1, what="every inbox notice"
    )
    inboxes = time.perf_counter() - started
    await eventually(
        lambda: _on_broker(bootstrap, prefix + NOTIFICATIONS_NOTIFICATION.name),
        lambda n: n >= members,
        timeout=timeout,
        interval=0.25,
        what="every delivered event on the broker",
    )
    end_to_end = time.perf_counter() - started
    assert await count() == members
    return inboxes, end_to_end


async def _copy_baseline(conn: asyncpg.Connection, members: int) -> float:
    await conn.execute("CREATE TABLE bare_notification (LIKE notification INCLUDING DEFAULTS)")
    now = datetime.now(UTC)
    message = render("policy_issued", {"title": TITLE, "issued_on": date.today().isoformat()})
    rows = []
    for i in range(members):
        member_id = uuid.uuid4()
        rows.append(
            (
                uuid.uuid4(),
                uuid.UUID(int=1),
                f"member:{member_id}",
                member_id,
                JIXI_COUNTIES[i % len(JIXI_COUNTIES)],
                "policy_issued",
                "low",
                message.title,
                message.body,
                now,
            )
        )
    columns = [
        "id",
        "source_event_id",
        "recipient_key",
        "member_id",
        "region_code",
        "kind",
        "priority",
        "title",
        "body",
        "created_at",
    ]
    started = time.perf_counter()
    await conn.copy_records_to_table("bare_notification", records=rows, columns=columns)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
