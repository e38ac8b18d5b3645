"""The inbox page in a real headless Chromium against the real notifications app on the real
stack: an item arriving while the page is open shows up without a reload (the SSE stream, read
with fetch() and the Authorization header)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, expect

from services.notifications.main import create_app
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from tests.integration.notifications import harness as h
from tests.support.builders import member_registered, publish
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually


async def _count(platform: Platform) -> int:
    return int(await platform.fetchval("notifications", "SELECT count(*) FROM notification"))


async def test_a_new_item_appears_on_the_open_inbox_page_without_reload(
    platform: Platform, browser: Browser, artifacts: Path
) -> None:
    zhou = member_registered(region_code="230302", sector_code="education")
    settings = platform.settings(NotificationsSettings, "notifications", stream_poll_seconds=0.2)
    app = create_app(settings, deliver=False)
    token = platform.keys.token(Role.MEMBER, "230302", member_id=zhou.member_id)
    first = h.obligation_opened(zhou.member_id, kind="sector_festival")
    second = h.obligation_opened(zhou.member_id, kind="policy_issued")
    async with serving(app) as url:
        await publish(platform, first)
        await eventually(lambda: _count(platform), lambda n: n == 1, what="first item")

        context = await browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
        errors: list[str] = []
        requests: list[str] = []
        try:
            page = await context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("request", lambda r: requests.append(r.url))
            response = await page.goto(f"{url}/app/inbox#token={token}")
            assert response is not None
            assert response.status == 200
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp
            assert "default-src 'none'" in csp
            await expect(page).not_to_have_url(re.compile("token="))

            items = page.locator("#items li[data-notification-id]")
            await expect(items).to_have_count(1)
            await expect(items.first).to_contain_text("界别节日")
            await expect(page.locator("#live")).to_have_text("实时更新中")
            loads = len([r for r in requests if r.endswith("/app/inbox")])

            await publish(platform, second)
            await expect(items).to_have_count(2)
            await expect(items.first).to_contain_text("相关政策出台")
            await expect(items.first).to_contain_text(second.title)
            await expect(page.locator("#unread")).to_have_text("2")
            await page.screenshot(path=str(artifacts / "notifications-inbox.png"), full_page=True)

            # No reload happened, and the token never travelled in a URL.
            assert len([r for r in requests if r.endswith("/app/inbox")]) == loads == 1
            assert not any(token in r for r in requests)
            assert errors == []
        finally:
            await context.close()
