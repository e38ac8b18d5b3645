"""Killing the outbox relay between the broker's ack and marking the row sent loses nothing.

The members service runs as a real child process; a failpoint makes it `kill -9` itself at
exactly that moment. After a restart the row is published again (delivered twice), and the
reporting consumer still counts the member once.
"""

from __future__ import annotations

import random
import signal
from pathlib import Path
from typing import Any

import httpx

from services.reporting.consumers import MEMBER_DIRECTORY_GROUP
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.contracts.topics import MEMBERS_MEMBER
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.faults import FaultRun
from tests.support.kafka import group_lag, read_all
from tests.support.platform import Platform
from tests.support.servers import ServiceProcess, serving
from tests.support.wait import eventually

JIXI = "230300"


async def test_relay_killed_after_broker_ack_loses_nothing_and_applies_nothing_twice(
    platform: Platform, tmp_path: Path
) -> None:
    crashing = ServiceProcess(
        "members",
        {**platform.env("members"), "CPPCC_FAILPOINTS": "relay.after_ack"},
        tmp_path / "members-crashing.log",
    )
    await crashing.start()
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    body = {
        "full_name": "周委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": "230302",
    }
    async with httpx.AsyncClient(base_url=crashing.url) as client:
        await add_jixi_committee(client, platform.keys)
        created = await client.post("/v1/members", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert await crashing.wait_exit() == -signal.SIGKILL

    topic = platform.topic(MEMBERS_MEMBER.name)
    published = await read_all(platform.stack.kafka_bootstrap, topic)
    assert len(published) == 1, "the broker acked the event before the crash"
    unsent = "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"
    assert await platform.fetchval("members", unsent) == 1, "the crash came before marking it sent"

    restarted = ServiceProcess("members", platform.env("members"), tmp_path / "members.log")
    await restarted.start()
    try:
        await eventually(lambda: platform.fetchval("members", unsent), lambda n: n == 0)
    finally:
        restarted.stop()
    copies = await read_all(platform.stack.kafka_bootstrap, topic)
    assert len({_ce_id(m) for m in copies}) == 1
    assert len(copies) == 2, "published again after the restart: delivered twice"

    reporting = reporting_app(platform.settings(ReportingSettings, "reporting"))
    async with serving(reporting) as url, httpx.AsyncClient(base_url=url) as r:
        # Offsets are committed only after the transaction: lag 0 means both copies were handled.
        await eventually(
            lambda: group_lag(
                platform.stack.kafka_bootstrap, platform.group(MEMBER_DIRECTORY_GROUP), topic
            ),
            lambda lag: lag == 0,
            what="reporting consumed both copies",
        )
        counts = (await r.get("/v1/kpi/member-counts", headers=admin)).json()
    assert counts["total"] == 1
    applied = "SELECT count(*) FROM inbox_message WHERE consumer_group = $1"
    assert await platform.fetchval("reporting", applied, MEMBER_DIRECTORY_GROUP) == 1


def _ce_id(message: Any) -> bytes:
    return bytes(dict(message.headers)["ce_id"])


async def test_relay_killed_after_ack_under_load_loses_nothing(
    platform: Platform, tmp_path: Path, seed: int
) -> None:
    """The same crash in the middle of a stream, in a producer picked by the seed."""
    rng = random.Random(seed)
    service, nth = rng.choice(("members", "visits")), rng.randint(2, 8)
    env = {service: {"CPPCC_FAILPOINTS": f"relay.after_ack@{nth}"}}
    fault = f"kill -9 {service}'s relay after the broker's ack (pass {nth})"
    async with FaultRun(platform, tmp_path, fault=fault, seed=seed, env=env) as run:

        async def inject(r: FaultRun) -> int:
            victim = r.fleet.processes[service][0]
            assert await victim.wait_exit(timeout=120) == -signal.SIGKILL
            r.mark_injected()
            await r.fleet.replace(victim)
            return 1

        report = await run.run(inject, before=40, after=80)
    print(report.summary())
    assert report.faults_injected == 1
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )
    assert report.delivered_twice >= 1, "the acked batch was published again"
