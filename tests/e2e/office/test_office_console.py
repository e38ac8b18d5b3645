"""The office console (政协办公室工作台) in headless Chromium, at desktop and tablet sizes,
against the real visits app on the real stack: staff accept a citizen's concern and assign it
by the department's name (a failed dispatch is retried), reject one with a reason the citizen
then reads, merge a duplicate and upgrade one to a 社情民意 report, all through the pages.
Every page is checked for UUIDs, English sentences and axe-core's serious or critical issues."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from services.visits.main import create_app
from services.visits.settings import VisitsSettings
from shared.auth import Role
from tests.support.builders import department_registered, member_registered, publish
from tests.support.disposal_platform import DisposalPlatformStub
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

MISHAN, JIXI = "230382", "230300"
SECRET = "office-console-secret"
AXE = Path(__file__).resolve().parents[2] / "support" / "axe.min.js"
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
ENGLISH = re.compile(r"[A-Za-z]{3,}(?:[ ,.:;'-]+[A-Za-z]{2,}){1,}")
SIZES = {"desktop": (1366, 900), "tablet": (820, 1180)}


def shanghai_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@asynccontextmanager
async def office_world(platform: Platform) -> AsyncIterator[tuple[str, DisposalPlatformStub]]:
    """Visits with the disposal platform refusing everything until the test says otherwise."""
    stub = DisposalPlatformStub(SECRET, mode="always_fail")
    async with serving(stub.app) as stub_url:
        settings = platform.settings(
            VisitsSettings,
            "visits",
            disposal_platform_url=f"{stub_url}/assignments",
            disposal_platform_secret=SECRET,
            bridge_poll_seconds=0.05,
            bridge_backoff_base_seconds=0.05,
            bridge_backoff_max_seconds=0.2,
            bridge_max_attempts=2,
        )
        async with serving(create_app(settings, sweep=False)) as url:
            yield url, stub


async def check_page(page: Page, name: str, artifacts: Path) -> None:
    """Screenshot; no UUID, no English sentence; axe-core finds nothing serious or critical."""
    folder = artifacts / "office"
    folder.mkdir(exist_ok=True)
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    text = await page.locator("body").inner_text()
    assert not UUID_TEXT.search(text), f"{name} shows an id: {UUID_TEXT.search(text)}"
    assert not ENGLISH.search(text), f"{name} shows English: {ENGLISH.search(text)}"
    found: list[dict[str, Any]] = await page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))"""
    )
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: {serious}"


def concern(page: Page, title: str) -> Locator:
    return page.locator("#duty > li").filter(has=page.get_by_text(title, exact=True))


@pytest.mark.parametrize("size", list(SIZES))
async def test_the_office_runs_its_duty_list_through_the_console(
    platform: Platform, browser: Browser, artifacts: Path, size: str
) -> None:
    member = member_registered(region_code=MISHAN, sector_code="education")
    bureau = department_registered("jx-education-bureau", "鸡西市教育局", JIXI)
    elsewhere = department_registered("hrb-education-bureau", "哈尔滨市教育局", "230100")
    citizen = platform.keys.token(Role.CONSTITUENT, MISHAN)
    office = platform.keys.token(Role.CITY_ADMIN, JIXI)
    async with office_world(platform) as (url, stub), httpx.AsyncClient(base_url=url) as http:
        for event in (member, bureau, elsewhere):
            await publish(platform, event)
        await eventually(
            lambda: platform.fetchval("visits", "SELECT count(*) FROM department_directory"),
            lambda n: n == 2,
            what="departments",
        )
        await eventually(
            lambda: platform.fetchval("visits", "SELECT count(*) FROM member_roster"),
            lambda n: n == 1,
            what="roster",
        )
        titles = [
            "学校供暖不足",
            "建议设立夜市",
            "校车停运问题",
            "校车停运（重复）",
            "农村学校师资短缺",
        ]
        for title in titles:
            body = {
                "member_id": str(member.member_id),
                "kind": "problem",
                "title": title,
                "body": title + "，请尽快处理",
            }
            answer = await http.post(
                "/v1/concerns/online", json=body, headers={"Authorization": f"Bearer {citizen}"}
            )
            assert answer.status_code == 201, answer.text

        width, height = SIZES[size]
        context = await browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": width, "height": height}
        )
        # Injected through the browser (the pages' CSP rightly refuses inline scripts).
        await context.add_init_script(path=str(AXE))
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(f"{url}/app/office#token={office}")
        await expect(page.locator("#duty-summary")).to_contain_text("共 5 件")
        await check_page(page, f"{size}-duty-list", artifacts)

        # Accept, then assign by the department's name: the dispatch fails, then is retried.
        heating = concern(page, "学校供暖不足")
        await heating.get_by_role("button", name="受理", exact=True).click()
        await expect(heating.locator("[data-role=status]")).to_have_text("已受理")
        await heating.get_by_label("搜索承办单位").fill("教育")
        picker = heating.get_by_label("承办单位", exact=True)
        await expect(picker.locator("option")).to_have_count(2)  # Harbin's bureau is not offered
        await picker.select_option(label="鸡西市教育局")
        await heating.get_by_label("办理期限").fill(
            (shanghai_today() + timedelta(days=15)).isoformat()
        )
        await heating.get_by_role("button", name="交办", exact=True).click()
        await expect(heating.locator("[data-role=status]")).to_have_text("已交办")
        await expect(heating).to_contain_text("承办单位鸡西市教育局")
        await expect(heating.locator("[data-role=deadline]")).to_contain_text("剩余 15 天")
        await eventually(
            lambda: platform.fetchval(
                "visits", "SELECT count(*) FROM concern_dispatch WHERE status = 'failed'"
            ),
            lambda n: n == 1,
            what="the dispatch failed",
        )
        await page.reload()
        failed = page.locator("#dispatches li[data-dispatch-id]")
        await expect(failed).to_contain_text("处置平台拒收（状态码 500）")
        await expect(failed).to_contain_text("鸡西市教育局")
        await check_page(page, f"{size}-failed-dispatch", artifacts)
        stub.mode = "ok"
        await failed.get_by_role("button", name="重新发送", exact=True).click()
        await eventually(
            lambda: platform.fetchval(
                "visits", "SELECT count(*) FROM concern_dispatch WHERE status = 'sent'"
            ),
            lambda n: n == 1,
            what="the retried dispatch reached the platform",
        )
        assert stub.signed[-1].body["department_code"] == "jx-education-bureau"
        await page.reload()
        await expect(page.locator("#dispatches")).to_contain_text("没有发送失败的交办")

        # Reject with a reason the citizen then reads on their own page.
        market = concern(page, "建议设立夜市")
        await market.get_by_label("理由").fill("不属于政协委员履职范围，请向市场监管部门反映")
        await market.get_by_role("button", name="不予受理", exact=True).click()
        await expect(market.locator("[data-role=status]")).to_have_text("未受理")

        # Merge the duplicate into the earlier concern, picked by search.
        duplicate = concern(page, "校车停运（重复）")
        await duplicate.get_by_label("搜索事项").fill("校车停运问题")
        into = duplicate.get_by_label("并入事项")
        await expect(into.locator("option")).to_have_count(2)
        await into.select_option(index=1)
        await duplicate.get_by_role("button", name="合并", exact=True).click()
        await expect(duplicate.locator("[data-role=status]")).to_have_text("已合并")

        # Accept one and upgrade it to a 社情民意 report.
        teachers = concern(page, "农村学校师资短缺")
        await teachers.get_by_role("button", name="受理", exact=True).click()
        await expect(teachers.locator("[data-role=status]")).to_have_text("已受理")
        await teachers.get_by_label("升级为").select_option(label="社情民意信息")
        await teachers.get_by_label("文号").fill("鸡西社情〔2026〕12号")
        await teachers.get_by_role("button", name="升级", exact=True).click()
        await expect(teachers).to_contain_text("已升级为社情民意信息（鸡西社情〔2026〕12号）")

        # Filters and search are the server's: 待受理 leaves the one still waiting.
        await page.get_by_role("button", name="待受理", exact=True).click()
        await expect(page.locator("#duty-summary")).to_contain_text("共 1 件")
        await page.get_by_role("button", name="全部", exact=True).click()
        await page.get_by_label("搜索", exact=True).fill("教育局")
        await page.get_by_role("button", name="搜索", exact=True).click()
        await expect(page.locator("#duty-summary")).to_contain_text("共 1 件")
        await check_page(page, f"{size}-after-steps", artifacts)
        assert errors == []

        citizen_page = await context.new_page()
        await citizen_page.goto(f"{url}/app/constituent#token={citizen}")
        rejected = citizen_page.locator("li[data-status=rejected]")
        await expect(rejected.locator("[data-role=reject-reason]")).to_contain_text(
            "不属于政协委员履职范围，请向市场监管部门反映"
        )
        await context.close()
