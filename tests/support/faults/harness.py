"""One fault run: services as real child processes, a steady workload, a fault, a reconciliation.

    async with FaultRun(platform, tmp_path, fault="...", seed=7) as run:
        report = await run.run(inject, before=200, after=200)

`inject(run)` does the damage (kill a process, restart a broker, ...) and returns once the
fault is over (the process restarted, the broker back) with how many faults it injected; the
workload keeps going all the while. Then the harness waits until every outbox is empty and
every consumer group has no lag, and reconciles. No pytest here: bench/ can drive it too.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self
from uuid import UUID

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from tests.support.faults.groups import PRODUCERS, Group, consumer_groups
from tests.support.faults.reconcile import Reconciliation, reconcile, track_commit_order
from tests.support.faults.report import FaultReport, Latency
from tests.support.faults.workload import Workload
from tests.support.kafka import topic_partitions
from tests.support.platform import Platform
from tests.support.servers import ServiceProcess
from tests.support.wait import eventually

SERVICES = ("members", "visits", "notifications", "reporting")


class Fleet:
    """The four services as child processes; any of them may be killed, restarted or scaled."""

    def __init__(self, platform: Platform, log_dir: Path) -> None:
        self.platform = platform
        self.log_dir = log_dir
        self.processes: dict[str, list[ServiceProcess]] = {s: [] for s in SERVICES}
        self._started = 0

    async def start(self, service: str, env: Mapping[str, str] | None = None) -> ServiceProcess:
        self._started += 1
        log = self.log_dir / f"{service}-{self._started}.log"
        process = ServiceProcess(service, {**self.platform.env(service), **(env or {})}, log)
        self.processes[service].append(process)
        await process.start()
        return process

    def running(self, service: str) -> list[ServiceProcess]:
        return [p for p in self.processes[service] if p.process and p.process.poll() is None]

    def url(self, service: str) -> str:
        alive = self.running(service) or self.processes[service]
        return alive[0].url

    def kill(self, process: ServiceProcess) -> None:
        assert process.process is not None
        process.process.send_signal(signal.SIGKILL)
        process.process.wait()

    async def replace(self, process: ServiceProcess) -> ServiceProcess:
        """Start a clean (failpoint-free) replica in place of a dead or stopped one."""
        if process.process is not None and process.process.poll() is None:
            self.kill(process)
        self.processes[process.service].remove(process)
        return await self.start(process.service)

    def stop_all(self) -> None:
        for processes in self.processes.values():
            for process in processes:
                process.stop()


def rss_mb(process: ServiceProcess) -> float:
    """Resident memory of a child process, from /proc (Linux)."""
    assert process.process is not None
    status = Path(f"/proc/{process.process.pid}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return kb / 1024


Inject = Callable[["FaultRun"], Awaitable[int]]


class FaultRun:
    def __init__(
        self,
        platform: Platform,
        log_dir: Path,
        *,
        fault: str,
        seed: int,
        rate: float = 25.0,
        members: int = 8,
        policy_share: float = 0.03,
        env: Mapping[str, Mapping[str, str]] | None = None,
        start: tuple[str, ...] = SERVICES,
    ) -> None:
        """`env`: extra environment per service for the first start (e.g. a failpoint)."""
        self.platform = platform
        self.fleet = Fleet(platform, log_dir)
        self.fault = fault
        self.seed = seed
        self.groups: list[Group] = consumer_groups()
        self.workload = Workload(
            self.fleet.url,
            platform.keys,
            seed,
            rate=rate,
            members=members,
            policy_share=policy_share,
        )
        self._env = env or {}
        self._start = start
        self.poison: set[UUID] = set()
        self.notes: list[str] = []
        self.injected_at: datetime | None = None

    def mark_injected(self) -> None:
        """Called by an `inject` that waits for its fault to happen (a failpoint firing)."""
        self.injected_at = datetime.now(UTC)

    async def __aenter__(self) -> Self:
        try:
            await asyncio.gather(
                *(self.fleet.start(service, self._env.get(service)) for service in self._start)
            )
            await track_commit_order(self.platform.database_urls)
            await self.workload.setup()
        except BaseException:
            self.fleet.stop_all()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.workload.stop()
        self.fleet.stop_all()

    async def wait_requests(self, count: int, *, timeout: float = 120) -> None:
        """Until the workload has sent `count` more requests than now."""
        target = self.workload.sent + count

        async def sent() -> int:
            return self.workload.sent

        await eventually(sent, lambda n: n >= target, timeout=timeout, what=f"{count} requests")

    async def run(self, inject: Inject, *, before: int = 100, after: int = 100) -> FaultReport:
        self.workload.start()
        await self.wait_requests(before)
        self.injected_at = None
        started = datetime.now(UTC)
        faults = await inject(self)
        injected_at = self.injected_at or started
        cleared_at = datetime.now(UTC)
        await self.wait_requests(after)
        await self.workload.stop()
        return await self.settle(faults, injected_at, cleared_at)

    async def settle(self, faults: int, injected_at: datetime, cleared_at: datetime) -> FaultReport:
        """Wait for the pipeline to drain, reconcile, and report."""
        await self.drain()
        redelivered = await self.redeliveries()
        r = await reconcile(
            self.platform.stack.kafka_bootstrap,
            self.platform.topic_prefix,
            self.platform.database_urls,
            self.groups,
            poison=frozenset(self.poison),
        )
        report = self.report(r, faults, injected_at, cleared_at)
        report.redelivered_skipped = redelivered
        return report

    async def redeliveries(self) -> int:
        """Events the running consumers were handed again and skipped (their /metrics)."""
        total = 0.0
        async with httpx.AsyncClient(timeout=10) as client:
            for processes in self.fleet.processes.values():
                for p in processes:
                    if p.process is None or p.process.poll() is not None:
                        continue
                    text = (await client.get(f"{p.url}/metrics")).text
                    total += sum(
                        float(line.rsplit(" ", 1)[1])
                        for line in text.splitlines()
                        if line.startswith("events_handled_total{")
                        and 'outcome="duplicate"' in line
                    )
        return int(total)

    async def drain(self, timeout: float = 180) -> None:
        await eventually(self._backlog, lambda n: n == 0, timeout=timeout, what="outbox drained")
        await eventually(self.lag, lambda n: n == 0, timeout=timeout, what="consumer lag 0")
        # Publishing can trigger more publishing (a policy fans out into obligations).
        await eventually(self._backlog, lambda n: n == 0, timeout=timeout, what="outbox drained")
        await eventually(self.lag, lambda n: n == 0, timeout=timeout, what="consumer lag 0")

    async def _backlog(self) -> int:
        total = 0
        for service in PRODUCERS:
            total += int(
                await self.platform.fetchval(
                    service, "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"
                )
            )
        return total

    async def lag(self) -> int:
        """Messages not yet committed, summed over every consumer group and its topics."""
        return await group_lag(
            self.platform.stack.kafka_bootstrap, self.platform.topic_prefix, self.groups
        )

    def report(
        self, r: Reconciliation, faults: int, injected_at: datetime, cleared_at: datetime
    ) -> FaultReport:
        far = datetime.max.replace(tzinfo=UTC)
        caught_up = r.caught_up_at(cleared_at)
        recovery = None
        if caught_up is not None:
            recovery = max(0.0, (caught_up - injected_at).total_seconds())
        report = FaultReport(
            fault=self.fault,
            seed=self.seed,
            requests=self.workload.sent,
            request_errors=self.workload.errors,
            events_produced=len(r.produced),
            events_applied=r.applications,
            faults_injected=faults,
            lost=len(r.lost) + r.poison_applied,
            applied_twice=r.applied_twice,
            delivered_twice=r.delivered_twice,
            order_violations=r.order_violations,
            dlq=r.dlq,
            recovery_s=recovery,
            latency={
                "before": Latency.of(r.latencies(datetime.min.replace(tzinfo=UTC), injected_at)),
                "during": Latency.of(r.latencies(injected_at, cleared_at)),
                "after": Latency.of(r.latencies(cleared_at, far)),
            },
            notes=list(self.notes),
            lost_examples=r.lost[:5],
        )
        if r.poison_applied:
            report.notes.append(f"{r.poison_applied} poison messages were applied")
        if r.unordered_pairs:
            report.notes.append(
                f"{r.unordered_pairs} pairs on one key out of id order but in commit order"
                " (transactions no lock ordered)"
            )
        self.reconciliation = r
        return report


async def group_lag(bootstrap: str, prefix: str, groups: list[Group]) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        ends = {}
        for topic in {t for g in groups for t in g.topics}:
            partitions = await topic_partitions(consumer, prefix + topic)
            ends.update(await consumer.end_offsets(partitions))
        lag = 0
        for g in groups:
            committed = await admin.list_consumer_group_offsets(prefix + g.name)
            for tp, end in ends.items():
                if tp.topic.removeprefix(prefix) in g.topics:
                    lag += end - (committed[tp].offset if tp in committed else 0)
        return lag
    finally:
        await consumer.stop()
        await admin.close()


async def count_rows(dsn: str, sql: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(sql))
    finally:
        await conn.close()
