"""A private reader of the retained topics: plain aiokafka, no group, exact offset ranges.

It never joins a consumer group and never commits: the live groups' committed offsets are only
read, as the bounds of what the rebuild must reproduce.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging.security import KafkaConnection

Offsets = dict[TopicPartition, int]
# Bytes fetched per partition and request: big enough that a partition's backlog streams in a
# few round trips, small enough that 60 partitions in flight stay well under the memory bar.
_PARTITION_FETCH_BYTES = 4 * 1024 * 1024
# Records unpacked per `getmany` (aiokafka unpacks them without yielding): a few ms at a time,
# so a read running ahead leaves the loop free to answer the database in between.
_RECORDS_PER_CALL = 5_000


class TopicReader:
    def __init__(self, connection: KafkaConnection, *, client_id: str) -> None:
        kwargs = connection.aiokafka_kwargs()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=connection.bootstrap_servers,
            client_id=client_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=_PARTITION_FETCH_BYTES,
            fetch_max_bytes=16 * _PARTITION_FETCH_BYTES,
            **kwargs,
        )
        self._admin = AIOKafkaAdminClient(
            bootstrap_servers=connection.bootstrap_servers, client_id=client_id, **kwargs
        )

    async def start(self) -> None:
        await self._consumer.start()
        await self._admin.start()

    async def stop(self) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def partitions(self, topics: Iterable[str]) -> list[TopicPartition]:
        found: list[TopicPartition] = []
        for topic in topics:
            numbers = self._consumer.partitions_for_topic(topic)
            if not numbers:
                await self._consumer._client.force_metadata_update()
                numbers = self._consumer.partitions_for_topic(topic)
            if not numbers:
                raise RuntimeError(f"topic {topic} does not exist (shared.messaging.topics)")
            found += [TopicPartition(topic, p) for p in sorted(numbers)]
        return found

    async def beginnings(self, partitions: list[TopicPartition]) -> Offsets:
        return dict(await self._consumer.beginning_offsets(partitions))

    async def ends(self, partitions: list[TopicPartition]) -> Offsets:
        return dict(await self._consumer.end_offsets(partitions))

    async def committed(self, group: str, partitions: list[TopicPartition]) -> Offsets:
        """The group's committed offsets; a partition it never committed is at its beginning."""
        known = await self._admin.list_consumer_group_offsets(group, partitions=partitions)
        beginnings = await self.beginnings(partitions)
        return {
            tp: known[tp].offset if tp in known and known[tp].offset >= 0 else beginnings[tp]
            for tp in partitions
        }

    async def read(
        self, positions: Offsets, targets: Offsets, *, batch_size: int
    ) -> AsyncIterator[list[Any]]:
        """Records from each partition's position up to (not including) its target, in batches
        of about `batch_size`; `positions` is advanced as each batch is handed out."""
        todo = [tp for tp in targets if positions[tp] < targets[tp]]
        if not todo:
            return
        consumer = self._consumer
        consumer.assign(todo)
        for tp in todo:
            consumer.seek(tp, positions[tp])
        pending: list[Any] = []
        while todo:
            fetched = await consumer.getmany(
                *todo, timeout_ms=1000, max_records=min(batch_size, _RECORDS_PER_CALL)
            )
            for tp, records in fetched.items():
                pending += [r for r in records if r.offset < targets[tp]]
            for tp in todo:
                # The consumer's own position also steps over offsets that hold no record.
                positions[tp] = min(targets[tp], await consumer.position(tp))
            done = [tp for tp in todo if positions[tp] >= targets[tp]]
            if done:
                consumer.pause(*done)
                todo = [tp for tp in todo if tp not in done]
            if len(pending) >= batch_size or (pending and not todo):
                yield pending
                pending = []
