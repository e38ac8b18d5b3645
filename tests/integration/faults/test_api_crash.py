"""`kill -9` of an API process mid-request: a business row exists if and only if its outbox row
does, and every request answered 201 is there.

Two ways in, both under a steady workload: a failpoint between the outbox insert and the commit
(the worst moment: both rows written, neither committed), then plain SIGKILLs at moments the
seed picks while requests are in flight.
"""

from __future__ import annotations

import random
import signal
from pathlib import Path
from uuid import UUID

import asyncpg

from tests.support.faults import FaultRun
from tests.support.platform import Platform

# (business rows' ids, event type, the id's field in the event)
PAIRS = {
    "visits": [
        ("SELECT id FROM contact_record", "visits.visit.recorded.v1", "visit_id"),
        ("SELECT id FROM concern", "visits.concern.submitted.v1", "concern_id"),
    ],
    "members": [
        (
            "SELECT id FROM occasion WHERE kind = 'policy_issued'",
            "members.policy.issued.v1",
            "occasion_id",
        )
    ],
}


async def mismatches(platform: Platform, service: str) -> list[str]:
    conn = await asyncpg.connect(platform.database_urls[service])
    try:
        found = []
        for business, event_type, field in PAIRS[service]:
            rows = {r[0] for r in await conn.fetch(business)}
            events = {
                UUID(r[0])
                for r in await conn.fetch(
                    "SELECT payload::jsonb ->> $2 FROM outbox_message WHERE event_type = $1",
                    event_type,
                    field,
                )
            }
            found += [f"row {i} has no {event_type}" for i in rows - events]
            found += [f"{event_type} {i} has no row" for i in events - rows]
        return found
    finally:
        await conn.close()


async def test_api_killed_mid_request_keeps_business_rows_and_outbox_rows_together(
    platform: Platform, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    nth = rng.randint(5, 30)
    env = {"visits": {"CPPCC_FAILPOINTS": f"uow.before_commit@{nth}"}}
    fault = f"kill -9 visits between outbox insert and commit (tx {nth}), then 3 random kills"
    async with FaultRun(platform, tmp_path, fault=fault, seed=seed, env=env) as run:

        async def inject(r: FaultRun) -> int:
            victim = r.fleet.processes["visits"][0]
            assert await victim.wait_exit(timeout=120) == -signal.SIGKILL
            r.mark_injected()
            replica = await r.fleet.replace(victim)
            for _ in range(3):
                # Requests are in flight at any moment of a 25 req/s workload.
                await r.wait_requests(rng.randint(5, 25))
                r.fleet.kill(replica)
                replica = await r.fleet.replace(replica)
            return 4

        report = await run.run(inject, before=40, after=60)
        answered = [i for s, i in run.workload.created if s == "visits"]
        records = await platform.fetchval(
            "visits", "SELECT count(*) FROM contact_record WHERE id = ANY($1::uuid[])", answered
        )
        broken = {s: await mismatches(platform, s) for s in PAIRS}
    print(report.summary())
    print(f"  visits answered 201: {len(answered)}, failed requests: {report.request_errors}")
    assert report.faults_injected == 4
    assert broken == {"visits": [], "members": []}
    assert records == len(answered), "an acknowledged contact record is missing"
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )
