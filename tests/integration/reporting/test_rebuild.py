"""The rebuild reproduces the live projections and swaps them in while the service serves.

The service runs in this process (its API polled all along, its consumers applying events that
keep arriving); the rebuild runs beside it, as the real command in a child process or as the
function. Afterwards every answer equals the live one from before, and the hand-computed value.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx

from services.reporting.rebuild.run import rebuild
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.contracts.base import IntegrationEvent
from tests.integration.reporting import scenario
from tests.integration.reporting.history import publish_many
from tests.integration.reporting.support import (
    YEAR_2026,
    caught_up,
    rate_triples,
    reporting,
    summary,
)
from tests.support.platform import Platform
from tests.support.servers import REPO_ROOT

JIXI, HARBIN = "230300", "230100"
GROUPINGS = (None, "county", "sector", "special_committee", "member")


async def _answers(r: httpx.AsyncClient, platform: Platform, s: scenario.Scenario) -> Any:
    """What the dashboard asks: Jixi at every level, a dossier, the province by city."""
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    answers: dict[str, Any] = {}
    for group_by in GROUPINGS:
        params = {"group_by": group_by} if group_by else {}
        answers[f"jixi by {group_by}"] = await summary(r, jixi, **params, **YEAR_2026)
    dossier = await r.get(f"/v1/members/{s.a.member_id}/dossier", headers=jixi)
    assert dossier.status_code == 200, dossier.text
    answers["dossier"] = dossier.json()
    province = platform.keys.headers(Role.PROVINCE_ADMIN, "230000")
    by_city = await summary(r, province, group_by="city", **YEAR_2026)
    answers["province by city"] = {row["key"]: row for row in by_city["rows"]}
    return answers


def _assert_jixi_is_hand_computed(answers: Any) -> None:
    row = answers["jixi by None"]["rows"][0]
    assert {k: row["counts"][k] for k in scenario.JIXI_COUNTS} == scenario.JIXI_COUNTS
    assert rate_triples(row) == scenario.JIXI_RATES
    assert row["average_days_to_reply"] == scenario.JIXI_AVERAGE_DAYS_TO_REPLY


@contextlib.asynccontextmanager
async def _polling(r: httpx.AsyncClient, platform: Platform) -> AsyncIterator[list[Any]]:
    """Ask Jixi's totals and A's dossier over and over; yields what came back, in order."""
    jixi = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    seen: list[Any] = []

    async def poll() -> None:
        while True:
            total = await r.get("/v1/kpi/summary", headers=jixi, params=YEAR_2026)
            seen.append((total.status_code, total.json() if total.status_code == 200 else None))
            await asyncio.sleep(0.02)  # pacing the poller, not waiting for a condition

    task = asyncio.create_task(poll())
    try:
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _run_command(platform: Platform) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.reporting.rebuild",
        env={**os.environ, **platform.env("reporting")},
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=300)
    return int(process.returncode or 0), out.decode(), err.decode()


def _harbin_visit(s: scenario.Scenario, n: int) -> IntegrationEvent:
    return s.d.visit(date(2026, 6, 1 + n % 28), "online", 3, 1)


async def test_rebuild_equals_live_while_the_service_serves_and_events_arrive(
    platform: Platform,
) -> None:
    s = scenario.build()
    await publish_many(platform, s.events)
    during: list[IntegrationEvent] = []
    after = [_harbin_visit(s, n) for n in range(5)]
    async with reporting(platform) as r:
        await caught_up(platform, len(s.events))
        live = await _answers(r, platform, s)
        table_before = await platform.fetchval("reporting", "SELECT 'visit'::regclass::oid")
        feed_before = await platform.fetchval("reporting", "SELECT max(seq) FROM feed_entry")
        async with _polling(r, platform) as polls:
            command = asyncio.create_task(_run_command(platform))
            while not command.done():  # one at a time, before, during and after the swap
                during.append(_harbin_visit(s, len(during)))
                await publish_many(platform, during[-1:])
            code, out, err = await command
            polled_during_the_rebuild = len(polls)
            await publish_many(platform, after)
            await caught_up(platform, len(s.events) + len(during) + len(after))
        rebuilt = await _answers(r, platform, s)
        table_after = await platform.fetchval("reporting", "SELECT 'visit'::regclass::oid")
        feed_after = await platform.fetchval("reporting", "SELECT max(seq) FROM feed_entry")
        leftovers = await platform.fetchval(
            "reporting",
            "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'reporting\\_%'",
        )
    assert code == 0, err
    assert "rebuilt" in out
    assert "rebuild: done" in err  # the progress, as plain lines without a terminal
    assert table_after != table_before  # the tables were swapped, not written in place
    assert leftovers == 0  # the rebuild schema and the old tables are gone
    # The API answered every request, with the same numbers, before, during and after the swap.
    assert polled_during_the_rebuild > 0
    assert {code for code, _ in polls} == {200}
    assert all(body == live["jixi by None"] for _, body in polls)
    for name in (f"jixi by {g}" for g in GROUPINGS):
        assert rebuilt[name] == live[name], name
    assert rebuilt["dossier"] == live["dossier"]
    _assert_jixi_is_hand_computed(rebuilt)
    assert rebuilt["province by city"][JIXI] == live["province by city"][JIXI]
    # Harbin: D's one visit in May, then the 15 that arrived during and after the rebuild.
    harbin = rebuilt["province by city"][HARBIN]["counts"]
    assert harbin["contacts"] == 1 + len(during) + len(after)
    assert harbin["people_reached"] == 7 + 3 * (len(during) + len(after))
    # The data platform's pull feed carried over: the same cursor positions, then the new facts.
    assert feed_after == feed_before + len(during) + len(after)


async def test_duplicates_on_the_topic_are_counted_once_after_a_rebuild(
    platform: Platform,
) -> None:
    s = scenario.build()
    duplicates = s.events[::3] + s.events[:5]
    await publish_many(platform, s.events + duplicates)
    async with reporting(platform) as r:
        await caught_up(platform, len(s.events))
        live = await _answers(r, platform, s)
        result = await rebuild(
            platform.settings(ReportingSettings, "reporting"), keep_old=True, batch_size=16
        )
        rebuilt = await _answers(r, platform, s)
        old_visits = await platform.fetchval(
            "reporting",
            f'SELECT count(*) FROM "{result.kept_old_schema}".visit',  # noqa: S608
        )
    # Both groups read members.member; the KPI group reads every topic once.
    assert result.outcomes["duplicate"] >= len(duplicates)
    assert rebuilt == live
    _assert_jixi_is_hand_computed(rebuilt)
    assert old_visits == 5  # the replaced tables, kept on request
