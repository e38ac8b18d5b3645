"""Each reaction reaches the right recipients, on the right channels, once per event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx

from services.notifications.main import create_app
from shared.auth import Role
from shared.kernel import FixedClock
from tests.integration.notifications import harness as h
from tests.support.builders import (
    circumstance_reported,
    liaison_linked,
    member_registered,
    member_retired,
    policy_issued,
    publish,
)
from tests.support.gateway import StandInGateway
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

PREFS = {
    "channels": ["in_app", "email", "sms", "wechat"],
    "email": "qian@example.cn",
    "phone": "13800000001",
    "wechat_openid": "wx-qian",
}


async def _notified(platform: Platform) -> set[tuple[str, str]]:
    found = await h.rows(platform, "SELECT recipient_key, kind FROM notification")
    return {(r["recipient_key"], r["kind"]) for r in found}


async def test_each_reaction_reaches_its_recipients_on_their_channels(
    platform: Platform, smtp: tuple[h.Mailbox, int], gateway: tuple[StandInGateway, str]
) -> None:
    mailbox, port = smtp
    stand_in, url = gateway
    qian = member_registered(region_code="230302", sector_code="education")
    hulin = member_registered(region_code="230381", sector_code="education")
    doctor = member_registered(region_code="230302", sector_code="medicine_health")
    gone = member_registered(region_code="230302", sector_code="education")
    for e in (qian, hulin, doctor, gone, member_retired(gone)):
        await publish(platform, e)
    # Daytime in Jixi, whatever the hour the test runs: quiet hours hold nothing back here.
    clock = FixedClock(datetime.now(UTC).replace(hour=2, minute=0))
    # The clock never moves, so a failed try's retry (due at now + backoff) never comes due: the
    # gateway gets time enough for a busy machine (the harness's 0.5 s is for test_delivery).
    settings = h.notification_settings(platform, port, url, gateway_timeout_seconds=30)
    app = create_app(settings, clock=clock)
    q = f"member:{qian.member_id}"
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
        await eventually(
            lambda: h.rows(platform, "SELECT status FROM recipient"),
            lambda found: sorted(r["status"] for r in found) == ["active"] * 3 + ["retired"],
            what="read model",
        )
        member = h.headers(platform, Role.MEMBER, "230302", member_id=qian.member_id)
        assert (await client.put("/v1/preferences", json=PREFS, headers=member)).status_code == 200

        liaison = liaison_linked(qian)
        online = h.concern_events(
            qian.member_id, source="online", liaison_id=liaison.liaison_id, department="jx-edu"
        )
        recorded = h.concern_events(
            qian.member_id, source="contact_record", liaison_id=None, department="jx-edu"
        )
        by_account = h.concern_events(
            qian.member_id,
            source="online",
            liaison_id=None,
            department="jx-edu",
            submitted_by="citizen-42",
        )
        opened = h.obligation_opened(qian.member_id)
        events: list[Any] = [
            opened,
            h.obligation_overdue(qian.member_id),
            h.obligation_escalated(qian.member_id, "sc-edu", level=1),
            h.obligation_escalated(qian.member_id, "230300", level=2),
            policy_issued(sector_codes=["education"], region_codes=["230300"]),
            circumstance_reported(liaison, "hardship"),
            circumstance_reported(liaison, "request"),
            circumstance_reported(liaison, "life_change"),
            online["submitted"], online["assigned"], online["replied"], online["reopened"],
            recorded["submitted"], recorded["replied"],
            by_account["submitted"], by_account["replied"],
        ]  # fmt: skip
        for e in events:
            await publish(platform, e)
        await publish(platform, opened)  # delivered twice: told once

        expected = {
            (q, "obligation_opened"),
            (q, "obligation_overdue"),
            ("office:sc-edu", "obligation_escalated"),
            ("office:230300", "obligation_escalated"),
            (q, "policy_issued"),
            (f"member:{hulin.member_id}", "policy_issued"),
            (q, "liaison_hardship"),
            (q, "liaison_request"),
            ("department:jx-edu", "concern_assigned"),
            (q, "concern_replied"),
            (f"liaison:{liaison.liaison_id}", "concern_rate_request"),
            ("constituent:citizen-42", "concern_rate_request"),
            (q, "concern_reopened"),
            ("department:jx-edu", "concern_reopened"),
        }
        await eventually(
            lambda: _notified(platform),
            lambda got: got == expected,
            timeout=60,
            what="notifications",
        )
        # Each reply told the member; the contact-record one told only the member.
        replies = await h.rows(
            platform, "SELECT 1 FROM notification WHERE kind = 'concern_replied'"
        )
        assert len(replies) == 3
        opened_rows = await h.rows(
            platform, "SELECT id FROM notification WHERE source_event_id = $1", opened.event_id
        )
        assert len(opened_rows) == 1

        # Qian's outside channels carry all her nine; the others only have an inbox. Each
        # channel has its own loop: wait for every one of them, then check none sent twice.
        sent = await eventually(
            lambda: _sent(stand_in, mailbox), lambda n: min(n) >= 9, timeout=60, what="sends"
        )
        assert sent == (9, 9, 9)
        subjects = [m["Subject"] for m in mailbox.to("qian@example.cn")]
        assert any("必访提醒" in s for s in subjects)
        assert any("紧急" in s for s in subjects)
        assert stand_in.sent_to("sms", "13800000001")
        assert stand_in.sent_to("wechat", "wx-qian")
        assert all(m["to"] in {"13800000001", "wx-qian"} for m in stand_in.received)
        await _inboxes_answer(client, platform, qian.member_id)


async def _sent(stand_in: StandInGateway, mailbox: h.Mailbox) -> tuple[int, int, int]:
    sms = len([m for m in stand_in.received if m["channel"] == "sms"])
    wechat = len([m for m in stand_in.received if m["channel"] == "wechat"])
    return len(mailbox.messages), sms, wechat


async def _inboxes_answer(client: httpx.AsyncClient, platform: Platform, member_id: Any) -> None:
    member = h.headers(platform, Role.MEMBER, "230302", member_id=member_id)
    inbox = (await client.get("/v1/inbox", headers=member)).json()["items"]
    assert len(inbox) == 9
    unread = (await client.get("/v1/inbox/unread-count", headers=member)).json()["unread"]
    assert unread == 9
    read = await client.post(f"/v1/inbox/{inbox[0]['id']}/read", headers=member)
    assert read.status_code == 204
    assert (await client.get("/v1/inbox/unread-count", headers=member)).json()["unread"] == 8

    stranger = h.headers(platform, Role.MEMBER, "230302", member_id=uuid4())
    assert (
        await client.post(f"/v1/inbox/{inbox[0]['id']}/read", headers=stranger)
    ).status_code == 404
    office = h.headers(platform, Role.COMMITTEE_STAFF, "230300", subject="sc-edu")
    assert [i["kind"] for i in (await client.get("/v1/inbox", headers=office)).json()["items"]] == [
        "obligation_escalated"
    ]
    city = h.headers(platform, Role.CITY_ADMIN, "230300")
    assert len((await client.get("/v1/inbox", headers=city)).json()["items"]) == 1
    dept = h.headers(platform, Role.DEPARTMENT, "230300", subject="jx-edu")
    kinds = {i["kind"] for i in (await client.get("/v1/inbox", headers=dept)).json()["items"]}
    assert kinds == {"concern_assigned", "concern_reopened"}
    citizen = h.headers(platform, Role.CONSTITUENT, "230302", subject="citizen-42")
    asked = (await client.get("/v1/inbox", headers=citizen)).json()["items"]
    assert [i["kind"] for i in asked] == ["concern_rate_request"]
