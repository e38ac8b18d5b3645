"""A steady, keyed workload through the real APIs: members, contact records, concerns, policies.

Contact records (keyed by member: many events per key, so order is checkable) raise concerns
now and then; a policy now and then fans out to one obligation per member in visits, which
notifications and reporting consume in turn. Service addresses are looked up per request, so
a service restarted on another port is picked up.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx

from shared.auth import Role
from tests.support.directory import add_jixi_committee
from tests.support.tokens import TestKeys

JIXI = "230300"
COUNTIES = ("230302", "230382")
SECTORS = ("education", "agriculture")
CHANNELS = ("face_to_face", "online", "regular_work")
Urls = Callable[[str], str]


@dataclass
class Workload:
    urls: Urls
    keys: TestKeys
    seed: int
    rate: float = 40.0  # requests per second
    members: int = 8
    concurrency: int = 16
    policy_share: float = 0.03
    member_ids: list[tuple[UUID, str]] = field(default_factory=list)
    sent: int = 0
    ok: int = 0
    errors: int = 0
    created: list[tuple[str, UUID]] = field(default_factory=list)  # (service, id) answered 201
    # What the refused requests were answered: a client can only retry what says it may.
    refused: Counter[int] = field(default_factory=Counter)
    unavailable_without_retry_after: int = 0
    _task: asyncio.Task[None] | None = None

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        # Yesterday here is never in the future in the services' time zone (Asia/Shanghai).
        self.day = (date.today() - timedelta(days=1)).isoformat()

    async def setup(self) -> None:
        """The committee and the members every later request refers to."""
        admin = self.keys.headers(Role.CITY_ADMIN, JIXI)
        async with httpx.AsyncClient(base_url=self.urls("members"), timeout=30) as client:
            committee = await add_jixi_committee(client, self.keys)
            for i in range(self.members):
                region = COUNTIES[i % len(COUNTIES)]
                body = {
                    "full_name": f"{self.rng.choice('张王李赵刘陈')}委员{i}",
                    "sector_code": SECTORS[i % len(SECTORS)],
                    "committee_code": committee,
                    "region_code": region,
                }
                response = await client.post("/v1/members", json=body, headers=admin)
                assert response.status_code == 201, response.text
                self.member_ids.append((UUID(response.json()["id"]), region))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="fault-workload")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        gate = asyncio.Semaphore(self.concurrency)
        pending: set[asyncio.Task[None]] = set()
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        async with httpx.AsyncClient(timeout=10) as client:
            try:
                while True:
                    await gate.acquire()
                    task = asyncio.create_task(self._one(client, gate))
                    pending.add(task)
                    task.add_done_callback(pending.discard)
                    next_at += interval
                    # Pacing the offered load (not waiting for a condition).
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            finally:
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)

    async def _one(self, client: httpx.AsyncClient, gate: asyncio.Semaphore) -> None:
        try:
            self.sent += 1
            if self.rng.random() < self.policy_share:
                service, path, body, headers = self._policy()
            else:
                service, path, body, headers = self._visit()
            try:
                response = await client.post(self.urls(service) + path, json=body, headers=headers)
            except httpx.TransportError:
                self.errors += 1
                return
            if response.status_code == 201:
                self.ok += 1
                self.created.append((service, UUID(response.json()["id"])))
            else:
                self.errors += 1
                self.refused[response.status_code] += 1
                if response.status_code == 503 and "Retry-After" not in response.headers:
                    self.unavailable_without_retry_after += 1
        finally:
            gate.release()

    def _visit(self) -> tuple[str, str, dict[str, Any], dict[str, str]]:
        member_id, region = self.rng.choice(self.member_ids)
        concerns = []
        if self.rng.random() < 0.3:
            concerns = [{"kind": "problem", "title": "路灯", "body": "村口路灯坏了"}]
        body = {
            "member_id": str(member_id),
            "channel": self.rng.choice(CHANNELS),
            "occurred_on": self.day,
            "people_reached": self.rng.randint(1, 30),
            "summary": "走访村小，听取意见",
            "concerns": concerns,
        }
        headers = self.keys.headers(Role.MEMBER, region, member_id=member_id)
        return "visits", "/v1/visits", body, headers

    def _policy(self) -> tuple[str, str, dict[str, Any], dict[str, str]]:
        body = {
            "title": f"关于加强乡村教师队伍建设的意见（{self.rng.randint(1, 10**6)}）",
            "issued_on": self.day,
            "sector_codes": [self.rng.choice(SECTORS)],
            "region_codes": [JIXI],
        }
        return "members", "/v1/policies", body, self.keys.headers(Role.CITY_ADMIN, JIXI)
