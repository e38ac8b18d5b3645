"""A province-sized members file (25,000 rows) imports fully, shows progress, and stays fast."""

from __future__ import annotations

import time
from typing import Any

import httpx

from services.members.importing.files import write_csv
from services.members.importing.kinds import ImportKind
from services.members.importing.synthetic import City
from services.members.importing.templates import sample_path
from services.members.main import create_app
from services.members.settings import MembersSettings
from shared.auth import Role
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

MEMBERS = 25_000


async def test_25000_members_import_in_one_go_with_visible_progress(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, "230300")
    content = write_csv(ImportKind.MEMBERS, City(members=MEMBERS).member_rows())
    settings = platform.settings(MembersSettings, "members", max_body_bytes=64 * 1024 * 1024)
    seen: list[tuple[str, int]] = []
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        committees = sample_path(ImportKind.COMMITTEES).read_bytes()
        first = await client.post(
            "/v1/imports/committees", files={"file": ("c.csv", committees)}, headers=admin
        )
        await eventually(
            lambda: client.get(first.headers["location"], headers=admin),
            lambda r: r.json()["status"] == "done",
        )
        started = time.monotonic()
        accepted = await client.post(
            "/v1/imports/members", files={"file": ("m.csv", content)}, headers=admin
        )
        assert accepted.status_code == 202, accepted.text

        async def job() -> dict[str, Any]:
            body: dict[str, Any] = (
                await client.get(accepted.headers["location"], headers=admin)
            ).json()
            seen.append((body["status"], body["processed_rows"]))
            return body

        done = await eventually(
            job, lambda j: j["status"] in ("done", "failed"), timeout=240, interval=0.02
        )
        elapsed = time.monotonic() - started
    assert done["status"] == "done", done
    assert (done["total_rows"], done["created"], done["processed_rows"]) == (MEMBERS,) * 3
    assert await platform.fetchval("members", "SELECT count(*) FROM member") == MEMBERS
    outbox = await platform.fetchval(
        "members",
        "SELECT count(*) FROM outbox_message WHERE event_type = 'members.member.registered.v1'",
    )
    assert outbox == MEMBERS
    midway = [(s, n) for s, n in seen if s in ("validating", "applying") and 0 < n < MEMBERS]
    assert midway, f"no progress seen between 0 and {MEMBERS}: {sorted(set(seen))}"
    assert [n for s, n in seen if s == "applying"] == sorted(n for s, n in seen if s == "applying")
    print(f"25,000 members: upload to done in {elapsed:.1f}s (timings: bench.members_import)")
