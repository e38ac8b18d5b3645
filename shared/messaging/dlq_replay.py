"""`python -m shared.messaging.dlq_replay --dlq <topic>.dlq`: re-publish dead letters after a fix.

Each dead letter (shared/messaging/dead_letter.py) carries the original key, value and headers
plus `dlq_*` headers naming where it came from. Replaying sends the original message back to
`dlq_original_topic`, without the `dlq_*` headers. That is safe to repeat: every group of that
topic sees the event again and a group that already applied it skips it (its inbox keys on the
event id), so a second replay applies nothing twice.

The DLQ is read without a consumer group (nothing is committed); the command reads up to the end
offset it saw at start and prints the offset to resume from. The same original message dead-
lettered by several groups is re-published once per run. Kafka connection settings come from
`CPPCC_OPERATOR_KAFKA_*` environment variables, read exactly as the services read theirs
(shared/settings.py, shared/messaging/security.py): in a cluster, the `cppcc-operator` KafkaUser.
Only positions and reasons are printed, never keys or values (they may hold personal data).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic_settings import SettingsConfigDict

from shared.messaging.producer import create_producer
from shared.messaging.security import KafkaConnection
from shared.settings import ServiceSettings

DLQ_SUFFIX = ".dlq"
_REASON_CHARS = 200


class OperatorSettings(ServiceSettings):
    """Only the Kafka settings matter here (`CPPCC_OPERATOR_KAFKA_BOOTSTRAP_SERVERS`, ...)."""

    model_config = SettingsConfigDict(env_prefix="CPPCC_OPERATOR_", extra="ignore", frozen=True)

    service_name: str = "dlq-replay"


class ReplayError(Exception):
    """The DLQ cannot be replayed as asked (not a DLQ, no such topic, a record without origin)."""


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    original_topic: str
    original_partition: int
    original_offset: int
    group: str
    reason: str
    key: bytes | None
    value: bytes | None
    original_headers: tuple[tuple[str, bytes], ...]

    @property
    def origin(self) -> tuple[str, int, int]:
        return (self.original_topic, self.original_partition, self.original_offset)


@dataclass(frozen=True)
class ReplayReport:
    seen: int
    replayed: int
    next_offset: int


def dead_letter(record: Any) -> DeadLetter:
    """The original message inside a DLQ record, and where it came from."""
    raw = [(str(k), bytes(v)) for k, v in (record.headers or ())]
    meta = {k: v.decode("utf-8", "replace") for k, v in raw if k.startswith("dlq_")}
    try:
        return DeadLetter(
            offset=record.offset,
            original_topic=meta["dlq_original_topic"],
            original_partition=int(meta["dlq_original_partition"]),
            original_offset=int(meta["dlq_original_offset"]),
            group=meta.get("dlq_consumer_group", ""),
            reason=meta.get("dlq_reason", ""),
            key=record.key,
            value=record.value,
            original_headers=tuple((k, v) for k, v in raw if not k.startswith("dlq_")),
        )
    except (KeyError, ValueError) as exc:
        raise ReplayError(f"record at offset {record.offset} has no valid dlq_* origin") from exc


async def _records(consumer: AIOKafkaConsumer, dlq: str, from_offset: int) -> AsyncIterator[Any]:
    """The DLQ's records from `from_offset` up to the end offset seen now."""
    partitions = consumer.partitions_for_topic(dlq) or set()
    if not partitions:
        await consumer._client.force_metadata_update()
        partitions = consumer.partitions_for_topic(dlq) or set()
    if partitions != {0}:
        raise ReplayError(f"{dlq} must exist with exactly one partition, has {sorted(partitions)}")
    tp = TopicPartition(dlq, 0)
    consumer.assign([tp])
    end = (await consumer.end_offsets([tp]))[tp]
    consumer.seek(tp, from_offset)
    while await consumer.position(tp) < end:
        for record in (await consumer.getmany(tp, timeout_ms=2000)).get(tp, []):
            if record.offset >= end:
                return
            yield record


async def replay(
    connection: KafkaConnection,
    dlq: str,
    *,
    from_offset: int = 0,
    dry_run: bool = False,
    out: TextIO = sys.stdout,
) -> ReplayReport:
    if not dlq.endswith(DLQ_SUFFIX):
        raise ReplayError(f"{dlq!r} is not a dead-letter topic (<topic>{DLQ_SUFFIX})")
    kafka = connection.aiokafka_kwargs()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=connection.bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **kafka,
    )
    producer = None if dry_run else create_producer(connection, client_id="dlq-replay")
    await consumer.start()
    seen, replayed, next_offset = 0, 0, from_offset
    done: set[tuple[str, int, int]] = set()
    try:
        if producer is not None:
            await producer.start()
        async for record in _records(consumer, dlq, from_offset):
            letter = dead_letter(record)
            seen += 1
            next_offset = letter.offset + 1
            again = letter.origin in done
            print(report_line(letter, again=again, dry_run=dry_run), file=out)
            if again:
                continue
            done.add(letter.origin)
            if producer is not None:
                await producer.send_and_wait(
                    letter.original_topic,
                    value=letter.value,
                    key=letter.key,
                    headers=list(letter.original_headers),
                )
            replayed += 1
    finally:
        if producer is not None:
            await producer.stop()
        await consumer.stop()
    return ReplayReport(seen=seen, replayed=replayed, next_offset=next_offset)


def report_line(letter: DeadLetter, *, again: bool, dry_run: bool) -> str:
    topic, partition, offset = letter.origin
    verb = "skip (same origin)" if again else ("would replay" if dry_run else "replayed")
    reason = letter.reason[:_REASON_CHARS].replace("\n", " ")
    return f"{letter.offset}\t{verb}\t{topic}[{partition}]@{offset}\t{letter.group}\t{reason}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--dlq", required=True, help="the dead-letter topic, e.g. members.member.dlq"
    )
    parser.add_argument("--from-offset", type=int, default=0, help="resume from this DLQ offset")
    parser.add_argument("--dry-run", action="store_true", help="list, publish nothing")
    args = parser.parse_args(argv)
    connection = KafkaConnection.from_settings(OperatorSettings())
    try:
        report = asyncio.run(
            replay(connection, args.dlq, from_offset=args.from_offset, dry_run=args.dry_run)
        )
    except ReplayError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    verb = "would replay" if args.dry_run else "replayed"
    print(
        f"{verb} {report.replayed} of {report.seen} dead letters; "
        f"next --from-offset {report.next_offset}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
