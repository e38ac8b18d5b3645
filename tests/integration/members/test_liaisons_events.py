"""What the members service tells Kafka about liaisons: one event per action, keyed by the
liaison, and never a liaison's personal data."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from shared.auth import Role
from shared.contracts.topics import MEMBERS_LIAISON
from tests.support.directory import JIXI_COMMITTEE, add_jixi_committee
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI, MISHAN = "230300", "230382"
FIRST = {
    "name": "李晓芳",
    "phone": "13812345678",
    "workplace": "密山市第一中学",
    "id_number": "230382198506123455",
    "consent_to_departments": True,
}
SECOND = {"name": "王建国", "phone": "0467-2345678"}
CHANGE = {"phone": "13987654321", "workplace": "兴凯湖农场"}
SUMMARY = "家中失火，急需帮助"
PERSONAL = ("name", "phone", "workplace", "id_number")
SECRETS = [d[k] for d in (FIRST, SECOND, CHANGE) for k in PERSONAL if k in d] + [SUMMARY]
PREFIX = "members.liaison."


async def _messages(platform: Platform) -> list[Any]:
    try:
        return await read_all(platform.stack.kafka_bootstrap, platform.topic(MEMBERS_LIAISON.name))
    except AssertionError:  # read_all gives up on the topic's metadata quickly under load
        return []


async def _register(client: httpx.AsyncClient, headers: dict[str, str]) -> UUID:
    body = {
        "full_name": "陈委员",
        "sector_code": "education",
        "committee_code": JIXI_COMMITTEE,
        "region_code": MISHAN,
    }
    response = await client.post("/v1/members", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def test_each_liaison_action_publishes_its_event_keyed_by_the_liaison_without_personal_data(
    platform: Platform,
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    app = members_app(platform.settings(MembersSettings, "members"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        await add_jixi_committee(client, platform.keys)
        member_id = await _register(client, admin)
        owner = platform.keys.headers(Role.MEMBER, MISHAN, member_id=member_id)
        roster = f"/v1/members/{member_id}/liaisons"
        first = (await client.post(roster, json=FIRST, headers=owner)).json()["id"]
        second = (await client.post(roster, json=SECOND, headers=admin)).json()["id"]
        assert (await client.patch(f"/v1/liaisons/{first}", json=CHANGE, headers=owner)).is_success
        report = {"kind": "hardship", "summary": SUMMARY}
        reported = await client.post(
            f"/v1/liaisons/{first}/circumstances", json=report, headers=admin
        )
        assert (await client.post(f"/v1/liaisons/{second}/unlink", headers=admin)).is_success
        messages = await eventually(
            lambda: _messages(platform), lambda m: len(m) >= 5, what="five liaison events"
        )

    bodies = [json.loads(m.value) for m in messages]
    by_liaison = {
        lid: [b["event_type"].removeprefix(PREFIX) for b in bodies if b["liaison_id"] == lid]
        for lid in (first, second)
    }
    assert by_liaison == {
        first: ["linked.v1", "updated.v1", "circumstance_reported.v1"],  # one partition: in order
        second: ["linked.v1", "unlinked.v1"],
    }
    for message, body in zip(messages, bodies, strict=True):
        assert message.key == body["liaison_id"].encode()
        headers = {k: v.decode() for k, v in message.headers}
        assert headers["ce_type"] == body["event_type"]
        assert (body["member_id"], body["region_code"]) == (str(member_id), MISHAN)
        wire = message.value.decode() + json.dumps(headers, ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in wire, (secret, body["event_type"])
    assert {b.get("display_name") for b in bodies} == {"李*芳", "王*国", None}
    circumstance = next(b for b in bodies if b["event_type"].endswith("circumstance_reported.v1"))
    assert circumstance["report_id"] == reported.json()["id"]
    assert (circumstance["kind"], circumstance["sector_code"]) == ("hardship", "education")
    assert "summary" not in circumstance
    consent = {
        b["liaison_id"]: b["consent_to_departments"]
        for b in bodies
        if b["event_type"] == PREFIX + "linked.v1"
    }
    assert consent == {first: True, second: False}
    assert await platform.fetchval("members", "SELECT count(*) FROM outbox_message") == 6
