"""The festival calendar (八必访 no. 8) on the real stack: each festival-year is declared and
published once, however often and in however many replicas the schedule runs."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.members import jobs
from services.members.api.deps import Deps
from services.members.handlers.occasions import DeclareDueFestivals, declare_due_festivals
from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal, Role
from shared.contracts.topics import MEMBERS_OCCASION
from shared.kernel import FixedClock
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

LEAD_DAYS = 7
DUE = DeclareDueFestivals(LEAD_DAYS, "230000")
UNSENT = "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"
FESTIVALS = "SELECT count(*) FROM occasion WHERE kind = 'sector_festival'"


def _at(year: int, month: int, day: int) -> FixedClock:
    return FixedClock(datetime(year, month, day, 1, 0, tzinfo=UTC))


@asynccontextmanager
async def _replica(platform: Platform) -> AsyncIterator[tuple[Deps, httpx.AsyncClient]]:
    """One members process: its own pool, relay and HTTP port on the shared database."""
    app: FastAPI = members_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        yield app.state.deps, client


async def _published(platform: Platform) -> list[Any]:
    """What reached members.occasion once the outbox has drained."""
    await eventually(lambda: platform.fetchval("members", UNSENT), lambda n: n == 0)
    return await read_all(platform.stack.kafka_bootstrap, platform.topic(MEMBERS_OCCASION.name))


async def test_teachers_day_is_declared_once_a_week_ahead(platform: Platform) -> None:
    async with _replica(platform) as (deps, client):
        clock = _at(2026, 9, 4)
        declared = await declare_due_festivals(DUE, uow=deps.uow(), clock=clock)
        assert [(o.title, o.occurs_on) for o in declared] == [("教师节", date(2026, 9, 10))]
        assert await declare_due_festivals(DUE, uow=deps.uow(), clock=clock) == []
        clock.advance(timedelta(days=6))  # Teachers' Day itself, the pass still finds it due
        assert await declare_due_festivals(DUE, uow=deps.uow(), clock=clock) == [], "not again"
        messages = await eventually(
            lambda: _published(platform), lambda m: len(m) >= 1, what="the festival published"
        )
        jixi = platform.keys.headers(Role.CITY_ADMIN, "230300")
        listed = await client.get("/v1/occasions", headers=jixi, params={"kind": "sector_festival"})
    assert len(messages) == 1
    body = json.loads(messages[0].value)
    assert messages[0].key.decode() == body["occasion_id"] == str(declared[0].id)
    assert dict(messages[0].headers)["ce_type"] == b"members.occasion.declared.v1"
    assert {k: body[k] for k in ("kind", "title", "occurs_on", "sector_codes", "region_codes")} == {
        "kind": "sector_festival",
        "title": "教师节",
        "occurs_on": "2026-09-10",
        "sector_codes": ["education"],
        "region_codes": ["230000"],
    }
    assert body["region_code"] == "230000"
    assert [o["id"] for o in listed.json()["items"]] == [body["occasion_id"]], "concerns Jixi"


async def test_two_replicas_running_the_pass_at_once_declare_it_once(platform: Platform) -> None:
    async with _replica(platform) as (first, _), _replica(platform) as (second, _):
        clock = _at(2026, 9, 4)
        for _round in range(3):
            results = await asyncio.gather(
                declare_due_festivals(DUE, uow=first.uow(), clock=clock),
                declare_due_festivals(DUE, uow=second.uow(), clock=clock),
                declare_due_festivals(DUE, uow=first.uow(), clock=clock),
            )
            assert sum(len(r) for r in results) == (1 if _round == 0 else 0)
        messages = await eventually(
            lambda: _published(platform), lambda m: len(m) >= 1, what="the festival published"
        )
    assert len(messages) == 1
    assert await platform.fetchval("members", FESTIVALS) == 1


async def test_nothing_is_declared_before_the_lead_time_and_the_window_includes_its_last_day(
    platform: Platform,
) -> None:
    async with _replica(platform) as (deps, _):
        assert await declare_due_festivals(DUE, uow=deps.uow(), clock=_at(2026, 7, 20)) == []
        # 8 Aug (全民健身日, sports) is exactly seven days after 1 Aug; Teachers' Day is not near.
        declared = await declare_due_festivals(DUE, uow=deps.uow(), clock=_at(2026, 8, 1))
    assert [(o.sector_codes, o.occurs_on) for o in declared] == [(("sports",), date(2026, 8, 8))]
    assert await platform.fetchval("members", FESTIVALS) == 1


async def test_a_festival_early_in_january_is_declared_in_the_december_before(
    platform: Platform,
) -> None:
    async with _replica(platform) as (deps, client):
        province = platform.keys.headers(Role.PROVINCE_ADMIN, "230000")
        calendar = [{"name": "经济界新年座谈日", "month": 1, "day": 2}]
        response = await client.put(
            "/v1/sectors/economy/festivals", json=calendar, headers=province
        )
        assert response.status_code == 200, response.text

        declared = await declare_due_festivals(DUE, uow=deps.uow(), clock=_at(2026, 12, 28))
        assert [(o.title, o.occurs_on) for o in declared] == [
            ("经济界新年座谈日", date(2027, 1, 2))
        ]
        assert declared[0].festival_key == "economy/2027/经济界新年座谈日"
        again = await declare_due_festivals(DUE, uow=deps.uow(), clock=_at(2027, 1, 1))
        assert again == [], "the same festival-year, declared in the old year"
    assert await platform.fetchval("members", FESTIVALS) == 1


@dataclass
class _FlakyDeps(Deps):
    """The database is away for the first `failures` passes."""

    failures: int = 1

    def uow(self, principal: Principal | None = None) -> MembersUnitOfWork:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("database away")
        return super().uow(principal)


async def test_the_schedule_declares_on_its_own_and_survives_a_failed_pass(
    platform: Platform,
) -> None:
    settings = platform.settings(
        MembersSettings, "members", festival_schedule_interval_seconds=0.05
    )
    async with _replica(platform) as (deps, _):
        flaky = _FlakyDeps(deps.pool, _at(2026, 9, 4), settings, deps.cipher, failures=2)
        task = asyncio.create_task(jobs.festival_schedule(flaky.uow, flaky.clock, settings))
        try:
            await eventually(
                lambda: platform.fetchval("members", FESTIVALS), lambda n: n == 1, timeout=30
            )
            assert not task.done(), "the loop keeps running"
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert flaky.failures == 0
