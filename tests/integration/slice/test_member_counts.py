"""The first slice: members registers a member → Kafka → reporting counts it, exactly once."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from services.reporting.consumers import MEMBER_DIRECTORY_GROUP
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from shared.contracts.members import MemberRegisteredV1
from shared.contracts.topics import MEMBERS_MEMBER
from tests.support.builders import member_registered, publish
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.kafka import produce_raw, read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI = "230300"
MISHAN = "230382"


def _member(name: str, sector: str = "education", region: str = MISHAN) -> dict[str, str]:
    return {
        "full_name": name,
        "sector_code": sector,
        "committee_code": JIXI_COMMITTEE,
        "region_code": region,
    }


async def _counts(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> Any:
    response = await client.get("/v1/kpi/member-counts", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_registered_member_shows_in_the_counts_by_sector(platform: Platform) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    members = members_app(platform.settings(MembersSettings, "members"))
    reporting = reporting_app(platform.settings(ReportingSettings, "reporting"))
    async with (
        serving(members) as m_url,
        serving(reporting) as r_url,
        httpx.AsyncClient(base_url=m_url) as m,
        httpx.AsyncClient(base_url=r_url) as r,
    ):
        await add_jixi_committee(m, platform.keys)
        for name, sector in [("张老师", "education"), ("李医生", "medicine_health")]:
            created = await m.post("/v1/members", json=_member(name, sector), headers=admin)
            assert created.status_code == 201, created.text
        counts = await eventually(
            lambda: _counts(r, admin), lambda c: c["total"] == 2, what="two members counted"
        )
    by_sector = {row["sector_code"]: row["members"] for row in counts["rows"]}
    assert by_sector == {"education": 1, "medicine_health": 1}
    assert counts["region_code"] == JIXI


async def test_the_same_event_delivered_twice_is_counted_once(platform: Platform) -> None:
    event = member_registered(region_code=MISHAN, sector_code="agriculture")
    marker = member_registered(region_code=MISHAN, sector_code="sports")
    for e in (event, event, marker):
        await publish(platform, e)
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    reporting = reporting_app(platform.settings(ReportingSettings, "reporting"))
    async with serving(reporting) as url, httpx.AsyncClient(base_url=url) as r:
        # Both events are in; the marker may overtake on another partition, so wait for both.
        counts = await eventually(
            lambda: _counts(r, admin),
            lambda c: {row["sector_code"] for row in c["rows"]} == {"agriculture", "sports"},
            what="both sectors counted",
        )
        applied = await eventually(
            lambda: platform.fetchval(
                "reporting",
                "SELECT count(*) FROM inbox_message WHERE event_id = $1 AND consumer_group = $2",
                event.event_id,
                MEMBER_DIRECTORY_GROUP,
            ),
            lambda n: n == 1,
        )
    assert applied == 1
    assert {row["sector_code"]: row["members"] for row in counts["rows"]} == {
        "agriculture": 1,
        "sports": 1,
    }


async def test_poison_messages_go_to_the_dlq_and_good_ones_keep_flowing(
    platform: Platform,
) -> None:
    topic = platform.topic(MEMBERS_MEMBER.name)
    bootstrap = platform.stack.kafka_bootstrap
    good = member_registered(region_code=MISHAN, sector_code="economy")
    key = good.partition_key().encode()  # same partition: the good one must wait behind poison
    ce = {"ce_type": MemberRegisteredV1.event_type_name, "ce_id": str(uuid4())}
    await produce_raw(bootstrap, topic, b"{not json", key=key, headers=ce)
    wrong_schema = json.dumps({"event_id": str(uuid4()), "region_code": "oops"}).encode()
    await produce_raw(bootstrap, topic, wrong_schema, key=key, headers=ce)
    unknown = {"ce_type": "members.member.teleported.v9", "ce_id": str(uuid4())}
    await produce_raw(bootstrap, topic, b'{"anything": 1}', key=key, headers=unknown)
    await publish(platform, good)
    admin = platform.keys.headers(Role.PROVINCE_ADMIN, "230000")
    reporting = reporting_app(platform.settings(ReportingSettings, "reporting"))
    async with serving(reporting) as url, httpx.AsyncClient(base_url=url) as r:
        counts = await eventually(
            lambda: _counts(r, admin), lambda c: c["total"] == 1, what="good event counted"
        )
    assert counts["rows"] == [{"region_code": None, "sector_code": "economy", "members": 1}]
    # Every group that reads the topic reports its own dead letters; these are the counter's.
    dead = [
        m
        for m in await read_all(bootstrap, f"{topic}.dlq")
        if dict(m.headers)["dlq_consumer_group"] == MEMBER_DIRECTORY_GROUP.encode()
    ]
    reasons = [dict(m.headers)["dlq_reason"].decode() for m in dead]
    assert len(dead) == 2, reasons
    assert "not JSON" in reasons[0]
    assert "does not match its schema" in reasons[1]
    assert dead[0].value == b"{not json"  # the original bytes, for an operator to replay
