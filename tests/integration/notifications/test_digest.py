"""The daily digest: a subscriber's low-priority items are collected and, once a day from the
configured local hour (Asia/Shanghai), summarised in ONE e-mail; two replicas' passes at once
still send it once; the next day's items wait for the next day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from services.notifications.adapters import SmtpSender
from services.notifications.handlers.digest import DigestWorker
from services.notifications.main import create_app
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import Role
from shared.db.pool import create_pool
from shared.kernel import FixedClock
from tests.integration.notifications import harness as h
from tests.support.builders import member_registered, policy_issued, publish
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually


async def _count(platform: Platform, sql: str) -> int:
    return int(await platform.fetchval("notifications", sql))


async def test_one_digest_email_a_day_summarises_the_low_priority_items(
    platform: Platform, smtp: tuple[h.Mailbox, int]
) -> None:
    mailbox, port = smtp
    sun = member_registered(region_code="230302", sector_code="education")
    li = member_registered(region_code="230302", sector_code="education")
    for registered in (sun, li):
        await publish(platform, registered)
    # 08:00 in Jixi today; the digest goes from 09:00 local.
    clock = FixedClock(datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0))
    settings = h.notification_settings(platform, port, "", digest_hour=9, **h.NEVER_QUIET)
    app = create_app(settings, clock=clock, deliver=False)
    pool = await create_pool(platform.database_urls["notifications"])
    sender = SmtpSender("127.0.0.1", port, settings.smtp_from, 5)

    def replica() -> DigestWorker:
        return DigestWorker(lambda: NotificationsUnitOfWork(pool), clock, settings, sender)

    first, second = replica(), replica()
    try:
        async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
            await eventually(
                lambda: _count(platform, "SELECT count(*) FROM recipient"),
                lambda n: n == 2,
                what="read model",
            )
            for member, prefs in (
                (sun, {"channels": ["in_app", "email"], "email": "sun@example.cn", "digest": True}),
                (li, {"channels": ["in_app", "email"], "email": "li@example.cn"}),
            ):
                auth = h.headers(platform, Role.MEMBER, "230302", member_id=member.member_id)
                put = await client.put("/v1/preferences", json=prefs, headers=auth)
                assert put.status_code == 200

            policies = [
                policy_issued(title="关于加强职业教育的若干意见"),
                policy_issued(title="关于乡村学校布局调整的通知"),
            ]
            for e in [*policies, h.obligation_opened(sun.member_id)]:
                await publish(platform, e)
            await eventually(
                lambda: _count(platform, "SELECT count(*) FROM notification"),
                lambda n: n == 5,
                what="notifications",
            )
            # Sun chose the digest: policies (low) have no e-mail of their own; Li's do.
            emails = await h.rows(
                platform,
                """SELECT n.recipient_key, n.kind FROM delivery d
                   JOIN notification n ON n.id = d.notification_id WHERE d.channel = 'email'""",
            )
            # Member ids are random: compare both sides sorted.
            assert sorted((r["recipient_key"], r["kind"]) for r in emails) == sorted(
                [
                    (f"member:{li.member_id}", "policy_issued"),
                    (f"member:{li.member_id}", "policy_issued"),
                    (f"member:{sun.member_id}", "obligation_opened"),
                ]
            )

            assert await first.run_once() == 0  # 08:00: not yet
            assert mailbox.messages == []

            clock.advance(timedelta(hours=1, minutes=30))  # 09:30 local
            sent = await asyncio.gather(first.run_once(), second.run_once())
            assert sum(sent) == 1
            (digest,) = mailbox.messages
            assert digest["To"] == "sun@example.cn"
            assert "每日摘要" in digest["Subject"]
            assert "共 2 条" in digest["Subject"]
            body = digest.get_content()
            assert all(p.title in body for p in policies)
            assert "必访" not in body  # the normal-priority obligation is not in the digest
            assert await first.run_once() == 0  # once a day

            late = policy_issued(title="关于教师培训经费使用的通知")
            await publish(platform, late)
            await eventually(
                lambda: _count(platform, "SELECT count(*) FROM notification"),
                lambda n: n == 7,
            )
            assert await first.run_once() == 0  # today's digest has gone: tomorrow's then
            clock.advance(timedelta(days=1))
            assert await second.run_once() == 1
            assert len(mailbox.to("sun@example.cn")) == 2
            tomorrow = mailbox.messages[-1]
            assert "共 1 条" in tomorrow["Subject"]
            assert late.title in tomorrow.get_content()
            assert mailbox.to("li@example.cn") == []  # deliver=False: Li's own e-mails wait
            days = await h.rows(platform, "SELECT day, status, items FROM digest ORDER BY day")
            assert [(r["status"], r["items"]) for r in days] == [("sent", 2), ("sent", 1)]
    finally:
        await pool.close()
