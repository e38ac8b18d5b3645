"""The same story through the pages, in headless Chromium against all four services: the member
records the visit on the workbench, a liaison writes in on the constituent page, the member
accepts and assigns it, the education bureau answers on the department page, the liaison rates
it, and the dashboard shows Jixi's education sector as the story implies. Screenshots of every
step are kept in test-artifacts/story/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, ViewportSize, expect

from shared.auth import Role
from tests.e2e.story.programme import DEPT, JIXI, POLICY, Programme, programme, shanghai_today
from tests.support.platform import Platform
from tests.support.wait import eventually

expect.set_options(timeout=20_000)


@asynccontextmanager
async def tab(browser: Browser, *, wide: bool = False) -> AsyncIterator[Page]:
    """A user's own browser context: a phone, or a desk for the dashboard."""
    size: ViewportSize = {"width": 1280, "height": 900} if wide else {"width": 390, "height": 844}
    context = await browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport=size, device_scale_factor=1
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
        assert errors == []
    finally:
        await context.close()


async def shot(page: Page, artifacts: Path, name: str) -> None:
    await page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


async def test_the_story_through_the_pages_ends_on_the_dashboard(
    platform: Platform, browser: Browser, artifacts: Path
) -> None:
    async with programme(platform) as p:
        cast = await p.cast()
        a, b, c = cast["A"], cast["B"], cast["C"]
        await p.issue_policy()
        owed = await eventually(p.obligations, lambda o: len(o) == 3, what="three obligations")
        due_on = date.fromisoformat(owed[0]["due_on"])
        # The notices travel one more hop (visits → Kafka → notifications) after the obligations
        # exist: wait for them as the other steps wait, not on the page's shorter expectation.
        await eventually(lambda: p.inbox(a), lambda items: len(items) == 2, what="A's two notices")

        # A sees the notice in the inbox and the obligation on the workbench, and records it.
        async with tab(browser) as page:
            await page.goto(
                f"{str(p.notifications.base_url).rstrip('/')}/app/inbox#token={a.token}"
            )
            # The policy itself, and the obligation it opened for A.
            await expect(page.locator("#items li[data-notification-id]")).to_have_count(2)
            await expect(page.locator("#items")).to_contain_text(POLICY)
            await shot(page, artifacts, "1-member-inbox")
        visits = str(p.visits.base_url).rstrip("/")
        async with tab(browser) as page:
            await page.goto(f"{visits}/app/member#token={a.token}")
            item = page.locator("#obligations li[data-obligation-id]")
            await expect(item).to_contain_text(POLICY)
            await page.select_option("#channel", label="上门走访、座谈交流")
            await page.fill("#people_reached", "12")
            await page.fill("#heart_to_heart_talks", "3")
            await page.fill("#summary", "宣讲课后服务政策，听取教师和家长意见")
            await item.get_by_role("button", name="为此记录走访").click()
            await page.click("#visit-submit")
            await expect(page.locator("#visit-notice")).to_have_text(
                "走访记录已保存，完成必访任务 1 项"
            )
            await expect(item.locator("[data-role=status]")).to_have_text("已完成")
            await shot(page, artifacts, "2-member-workbench-visit")
        await _visit_by_api(p, b)
        assert await p.sweep(due_on + timedelta(days=8)) == (1, 1)

        # A liaison writes to A online; A accepts it and assigns it to the education bureau.
        citizen = p.token(Role.CONSTITUENT, a.region, "liaison-zhang")
        async with tab(browser) as page:
            await page.goto(f"{visits}/app/constituent#token={citizen}&member={a.id}")
            await page.select_option("#kind", label="微建议")
            await page.fill("#title", "学校课后服务缺少场地")
            await page.fill("#body", "希望协调社区活动室，方便学生课后活动。")
            await page.click("#concern-submit")
            await expect(page.locator("#submit-notice")).to_have_text("提交成功，委员会尽快处理")
            await shot(page, artifacts, "3-constituent-submits")
        reply_by = (shanghai_today() + timedelta(days=10)).isoformat()
        async with tab(browser) as page:
            await page.goto(f"{visits}/app/member#token={a.token}")
            duty = page.locator("#concerns li[data-concern-id]")
            await duty.get_by_role("button", name="受理").click()
            await expect(duty.locator("[data-role=status]")).to_have_text("已受理")
            await duty.get_by_label("搜索承办单位").fill("教育")
            await expect(duty.get_by_label("承办单位", exact=True)).to_have_value(DEPT)
            await duty.get_by_label("办理期限").fill(reply_by)
            await duty.get_by_role("button", name="交办").click()
            await expect(duty.locator("[data-role=status]")).to_have_text("已交办")
            await shot(page, artifacts, "4-member-assigns")
        await eventually(lambda: _signed(p), lambda n: n == 1, what="dispatched over the bridge")

        # The bureau answers on its page; the liaison rates the answer and it closes.
        bureau = p.token(Role.DEPARTMENT, JIXI, DEPT)
        async with tab(browser) as page:
            await page.goto(f"{visits}/app/department#token={bureau}")
            assigned = page.locator("#assigned li[data-concern-id]")
            await assigned.get_by_label("答复意见").fill("已协调社区活动室，下周起开放。")
            await assigned.get_by_role("button", name="提交答复").click()
            await expect(assigned.locator("[data-role=status]")).to_have_text("已办复")
            await shot(page, artifacts, "5-department-replies")
        async with tab(browser) as page:
            await page.goto(f"{visits}/app/constituent#token={citizen}&member={a.id}")
            mine = page.locator("#mine li[data-concern-id]")
            await mine.get_by_label("满意度（1–5 分）").select_option("5")
            await mine.get_by_label("问题是否解决").select_option(label="已解决")
            await mine.get_by_role("button", name="提交评价").click()
            await expect(mine.locator("[data-role=status]")).to_have_text("已办结")
            await shot(page, artifacts, "6-constituent-rates")

        # The KPI API and the dashboard agree on what happened in Jixi's education sector.
        row = await eventually(
            lambda: p.kpi(region_code=JIXI, sector_code="education"),
            lambda r: (
                r["counts"].get("concerns_rated") == 1
                and r["counts"].get("obligations_escalated") == 1
            ),
            what="the story in the KPIs",
        )
        reporting = str(p.reporting.base_url).rstrip("/")
        city = p.token(Role.CITY_ADMIN, JIXI)
        async with tab(browser, wide=True) as page:
            await page.goto(
                f"{reporting}/app/dashboard#token={city}&region={JIXI}&sector=education&from=&to="
            )
            cards = {
                name: page.locator(f"#cards [data-kpi={name}] .ratio")
                for name in ("compliance", "reply_rate", "resolution_rate", "satisfaction_rate")
            }
            await expect(cards["compliance"]).to_have_text(re.compile(r"^2\s*/\s*3$"))
            for name in ("reply_rate", "resolution_rate", "satisfaction_rate"):
                await expect(cards[name]).to_have_text(re.compile(r"^1\s*/\s*1$"))
            await shot(page, artifacts, "7-dashboard-jixi-education")

    assert _ratios(row) == {
        "compliance": (2, 3),
        "reply_rate": (1, 1),
        "resolution_rate": (1, 1),
        "satisfaction_rate": (1, 1),
    }
    assert (row["counts"]["contacts"], row["counts"]["concerns_collected"]) == (2, 1)
    assert c.id not in {o["member_id"] for o in owed if o["status"] == "fulfilled"}


async def _visit_by_api(p: Programme, m: Any) -> None:
    body = {
        "member_id": str(m.id),
        "channel": "online",
        "occasion": "policy_issued",
        "occurred_on": shanghai_today().isoformat(),
        "people_reached": 8,
        "heart_to_heart_talks": 2,
        "summary": "线上宣讲政策",
    }
    await p.ok(p.visits.post("/v1/visits", json=body, headers=m.headers))


async def _signed(p: Programme) -> int:
    return len(p.stub.signed)


def _ratios(row: dict[str, Any]) -> dict[str, tuple[int, int]]:
    wanted = ("compliance", "reply_rate", "resolution_rate", "satisfaction_rate")
    return {n: (row["rates"][n]["numerator"], row["rates"][n]["denominator"]) for n in wanted}
