"""The dashboard in a real headless Chromium against the real reporting service on the real stack:
its cards show the API's numbers, its charts are drawn with data (checked in screenshots), a
province admin drills city → county → member → dossier, and the export buttons download files."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, ConsoleMessage, Locator, Page, Response, expect

from services.reporting.main import create_app
from services.reporting.settings import ReportingSettings
from shared.auth import Role
from tests.e2e.reporting.png import pixels
from tests.integration.reporting import scenario
from tests.integration.reporting.history import publish_many
from tests.integration.reporting.support import YEAR_2026, caught_up, summary
from tests.support.platform import Platform
from tests.support.servers import serving

PROVINCE, JIXI, MISHAN = "230000", "230300", "230382"
RATE_CARDS = (
    "coverage",
    "compliance",
    "fulfilment_rate",
    "reply_rate",
    "on_time_reply_rate",
    "resolution_rate",
    "satisfaction_rate",
    "handled_rate",
)
OUTCOMES = ("reply_rate", "resolution_rate", "satisfaction_rate")
# The charts' first two series colours (charts.js PALETTE): bars drawn in them prove data.
RED, BLUE = (0xC6, 0x28, 0x28), (0x1F, 0x6F, 0xB2)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def drawn(rows: list[dict[str, Any]], names: tuple[str, ...]) -> int:
    """How many marks a chart draws: one per row and series where a rate exists."""
    return sum(1 for row in rows for n in names if row["rates"][n]["value"] is not None)


@asynccontextmanager
async def desk(browser: Browser) -> AsyncIterator[tuple[Page, list[str]]]:
    """An office monitor, in Beijing time; every console error and failed request is kept."""
    context = await browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1360, "height": 900},
        accept_downloads=True,
    )
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_response(response: Response) -> None:
        if response.status >= 400:
            errors.append(f"{response.status} {response.url}")

    try:
        page = await context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.on("console", on_console)
        page.on("response", on_response)
        yield page, errors
    finally:
        await context.close()


async def ready(page: Page) -> None:
    await expect(page.locator("#overview")).to_have_attribute("data-state", "ready")


async def assert_chart_drawn(chart: Locator, marks: str, expected: int, shot: Path) -> None:
    """The SVG has the expected marks, each with a size, and its screenshot is not blank."""
    await expect(chart.locator(marks)).to_have_count(expected)
    for mark in await chart.locator(marks).all():
        box = await mark.bounding_box()
        assert box is not None
        assert box["width"] > 0
        assert box["height"] > 0
    width, height, colours = pixels(await chart.screenshot(path=str(shot)))
    background, plain = colours.most_common(1)[0]
    assert width > 300
    assert height > 100
    assert len(colours) > 20, f"{shot.name}: only {len(colours)} colours"
    assert (width * height - plain) / (width * height) > 0.02, f"{shot.name} is nearly blank"
    assert colours[RED] > 50, f"{shot.name}: no mark in the first series' colour"
    assert background != RED


async def assert_cards(page: Page, row: dict[str, Any]) -> None:
    for name in RATE_CARDS:
        card = page.locator(f'#cards [data-kpi="{name}"]')
        r = row["rates"][name]
        await expect(card.locator(".value")).to_have_text(percent(r["value"]))
        await expect(card.locator(".ratio")).to_have_text(f"{r['numerator']} / {r['denominator']}")
    counts = row["counts"]
    late = counts.get("obligations_fulfilled_late", 0)
    overdue = counts.get("obligations_overdue", 0)
    await expect(page.locator('[data-kpi="compliance"] [data-role=late]')).to_have_text(
        f"逾期完成 {late} 项 · 逾期未完成 {overdue} 项"
    )
    contacts = page.locator('#cards [data-kpi="contacts"]')
    await expect(contacts.locator(".value")).to_have_text(str(counts.get("contacts", 0)))
    online = contacts.locator('[data-channel="contacts_online"]')
    await expect(online).to_have_text(f"线上互动{counts.get('contacts_online', 0)}")
    people = page.locator('#cards [data-kpi="people_reached"] .value')
    await expect(people).to_have_text(str(counts.get("people_reached", 0)))
    days = page.locator('#cards [data-kpi="average_days_to_reply"] .value')
    average = row["average_days_to_reply"]
    await expect(days).to_have_text("—" if average is None else f"{average:.1f}")


async def downloaded(page: Page, button: Locator, folder: Path) -> tuple[str, bytes]:
    """Click a download button; the file's suggested name and its bytes."""
    async with page.expect_download() as info:
        await button.click()
    download = await info.value
    target = folder / download.suggested_filename
    await download.save_as(target)
    return download.suggested_filename, target.read_bytes()


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


async def test_the_dashboard_shows_the_apis_numbers_charts_drill_down_and_exports(
    platform: Platform, browser: Browser, artifacts: Path
) -> None:
    s = scenario.build()
    await publish_many(platform, s.events)
    shots = artifacts / "dashboard"
    shots.mkdir(exist_ok=True)
    token = platform.keys.token(Role.PROVINCE_ADMIN, PROVINCE)
    api_headers = {"Authorization": f"Bearer {token}"}
    app = create_app(platform.settings(ReportingSettings, "reporting"))
    async with (
        serving(app) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as api,
        desk(browser) as (page, errors),
    ):
        await caught_up(platform, len(s.events))
        want = {
            g: (
                await summary(
                    api, api_headers, limit="500", **YEAR_2026, **({"group_by": g} if g else {})
                )
            )["rows"]
            for g in ("", "city", "month", "sector")
        }

        response = await page.goto(f"{url}/app/dashboard#token={token}")
        assert response is not None
        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        await expect(page).not_to_have_url(re.compile("token="))
        await ready(page)
        await page.fill("#from", YEAR_2026["from"])
        await page.fill("#to", YEAR_2026["to"])
        await page.click("#apply")
        await expect(page).to_have_url(re.compile("to=2026-12-31"))
        await ready(page)

        # The province's cards are the API's numbers.
        await assert_cards(page, want[""][0])
        await expect(page.locator("#regions-title")).to_have_text(
            "黑龙江省各市联系人覆盖率与必访履约率"
        )

        # Each chart is drawn with data: the right marks, each with a size, not a blank image.
        regions = page.locator("#chart-regions")
        trend, sectors = page.locator("#chart-trend"), page.locator("#chart-sectors")
        await assert_chart_drawn(
            regions,
            "rect.bar",
            drawn(want["city"], ("coverage", "compliance")),
            shots / "regions.png",
        )
        await assert_chart_drawn(
            trend, "circle.point", drawn(want["month"], OUTCOMES), shots / "trend.png"
        )
        await assert_chart_drawn(
            sectors, "rect.bar", drawn(want["sector"], OUTCOMES), shots / "sectors.png"
        )
        await page.screenshot(path=str(shots / "province.png"), full_page=True)

        # The sector filter narrows every number; then back to all sectors.
        health = await summary(api, api_headers, sector_code="medicine_health", **YEAR_2026)
        await page.select_option("#sector", label="医药卫生界")
        await page.click("#apply")
        await expect(page).to_have_url(re.compile("sector=medicine_health"))
        await assert_cards(page, health["rows"][0])
        await ready(page)
        await page.select_option("#sector", label="全部界别")
        await page.click("#apply")
        await assert_cards(page, want[""][0])
        await ready(page)

        # Drill down: the city from its table row, the county from its bar, then the member.
        await page.locator("#table-regions a", has_text="鸡西市").click()
        await ready(page)
        await expect(page.locator("#regions-title")).to_have_text(
            "鸡西市各县（市、区）联系人覆盖率与必访履约率"
        )
        await expect(page.locator("#crumbs")).to_have_text(re.compile("黑龙江省.*鸡西市"))
        jixi = (await summary(api, api_headers, region_code=JIXI, **YEAR_2026))["rows"][0]
        await assert_cards(page, jixi)
        await expect(page.locator("#table-regions tbody tr")).to_have_count(2)
        await page.locator(
            f'#chart-regions g.group[data-category="{MISHAN}"] rect.bar'
        ).first.click()
        await ready(page)
        await expect(page.locator("#regions-title")).to_have_text(
            "密山市各委员联系人覆盖率与必访履约率"
        )
        member_row = page.locator("#table-regions tbody tr")
        await expect(member_row).to_have_count(1)
        await expect(member_row.locator('td[data-rate="coverage"]')).to_have_text("50.0% 1/2")

        # The export button downloads the table shown, with the API's numbers.
        name, body = await downloaded(
            page, page.locator('#export-regions button[data-format="csv"]'), shots
        )
        assert name == f"kpi-{MISHAN}-member-2026-01-01-2026-12-31.csv"
        exported = csv_rows(body)
        members = await summary(
            api, api_headers, region_code=MISHAN, group_by="member", **YEAR_2026
        )
        assert [r["委员编号"] for r in exported] == [str(s.a.member_id)]
        assert exported[0]["名称"] == s.a.full_name
        assert int(exported[0]["联系次数"]) == members["rows"][0]["counts"]["contacts"]
        assert int(exported[0]["联系人覆盖率（分母）"]) == 2
        await expect(page.locator("#notice")).to_contain_text("已导出")

        # The member's dossier: profile, yearly summary and timeline, with its CSV export.
        await member_row.locator("a", has_text=s.a.full_name).click()
        await expect(page.locator("#dossier")).to_have_attribute("data-state", "ready")
        dossier = (
            await api.get(f"/v1/members/{s.a.member_id}/dossier", headers=api_headers)
        ).json()
        await expect(page.locator("#dossier-name")).to_have_text(f"{s.a.full_name} 的履职档案")
        await expect(page.locator("#dossier-profile")).to_contain_text("密山市")
        await expect(page.locator("#dossier-profile")).to_contain_text("教育界")
        await expect(page.locator("#dossier-timeline li")).to_have_count(len(dossier["timeline"]))
        year = page.locator('#dossier-years tbody tr[data-key="2026"]')
        y2026 = next(y for y in dossier["years"] if y["year"] == 2026)["kpis"]
        await expect(year.locator("td").nth(1)).to_have_text(str(y2026["counts"]["contacts"]))
        await expect(page.locator("#crumbs")).to_have_text(re.compile("鸡西市.*密山市.*王建国"))
        await page.screenshot(path=str(shots / "dossier.png"), full_page=True)
        name, body = await downloaded(page, page.locator("#dossier-csv"), shots)
        assert name == f"dossier-{s.a.member_id}.csv"
        assert body.decode().startswith("occurred_at,event_type")

        # Back up one level with the browser.
        await page.go_back()
        await ready(page)
        await expect(page.locator("#regions-title")).to_have_text(
            "密山市各委员联系人覆盖率与必访履约率"
        )

        # The region filter jumps straight to another city.
        await page.select_option("#region", label="哈尔滨市")
        await page.click("#apply")
        await expect(page.locator("#regions-title")).to_have_text(
            "哈尔滨市各县（市、区）联系人覆盖率与必访履约率"
        )
        await ready(page)
        await expect(page.locator("#table-regions tbody tr")).to_have_count(1)
        assert errors == []
