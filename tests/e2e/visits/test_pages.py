"""The visits pages in a real headless Chromium against the real visits app on the real stack:
a member records a contact and sees the obligation fulfilled; a constituent's micro-suggestion
goes through the member, a department and back to the constituent's rating, all through pages."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
from playwright.async_api import Browser, ConsoleMessage, Page, Response, expect

from deploy.devtokens import issue_token
from services.visits.main import create_app
from services.visits.settings import VisitsSettings
from shared.auth import Role
from shared.contracts.members import MemberRegisteredV1
from tests.support.builders import department_registered, member_registered, policy_issued, publish
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

MISHAN, JIXI = "230382", "230300"
DEPT = "jixi-education-bureau"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def shanghai_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _count(platform: Platform, sql: str) -> int:
    return int(await platform.fetchval("visits", sql))


@asynccontextmanager
async def visits_app(platform: Platform, *members: MemberRegisteredV1) -> AsyncIterator[str]:
    """The visits app (real clock) serving pages and API, once it knows `members`."""
    app = create_app(platform.settings(VisitsSettings, "visits"), sweep=False)
    async with serving(app) as url:
        for m in members:
            await publish(platform, m)
        await publish(platform, department_registered(DEPT))
        await eventually(
            lambda: _count(platform, "SELECT count(*) FROM member_roster"),
            lambda n: n == len(members),
            what="roster",
        )
        await eventually(
            lambda: _count(platform, "SELECT count(*) FROM department_directory"),
            lambda n: n == 1,
            what="departments",
        )
        yield url


class Tab:
    """One user's page in their own browser context (own sessionStorage), on a phone screen."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on("response", self._response)

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.errors.append(f"{response.status} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)


@asynccontextmanager
async def tab(browser: Browser) -> AsyncIterator[Tab]:
    context = await browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        yield Tab(await context.new_page())
    finally:
        await context.close()


async def open_page(t: Tab, url: str) -> None:
    response = await t.page.goto(url)
    assert response is not None
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "default-src 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    # The token leaves the address bar once it is in sessionStorage.
    await expect(t.page).not_to_have_url(re.compile("token="))


async def shot(t: Tab, artifacts: Path, name: str) -> str:
    """Save a full-page screenshot and return the page's visible text."""
    await t.page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    return await t.page.locator("body").inner_text()


async def test_a_member_sees_an_obligation_records_a_contact_and_sees_it_fulfilled(
    platform: Platform, browser: Browser, artifacts: Path
) -> None:
    teacher = member_registered(region_code=MISHAN, sector_code="education")
    issued_on = shanghai_today() - timedelta(days=1)
    policy = policy_issued(issued_on=issued_on, title="关于进一步加强乡村教师队伍建设的意见")
    token = platform.keys.token(Role.MEMBER, MISHAN, member_id=teacher.member_id)
    async with visits_app(platform, teacher) as url, tab(browser) as t:
        await publish(platform, policy)
        await eventually(
            lambda: _count(platform, "SELECT count(*) FROM obligation"), lambda n: n == 1
        )
        due_on = await platform.fetchval("visits", "SELECT due_on FROM obligation")
        # A bad link: the service's problem+json is shown, in Chinese, with its title/detail.
        async with tab(browser) as stranger:
            await open_page(stranger, f"{url}/app/member#token=not-a-token")
            failed = stranger.page.locator("#obligations-notice")
            await expect(failed).to_contain_text("必访任务加载失败")
            await expect(failed).to_contain_text("登录已失效，请重新从链接进入")
            await expect(failed).to_contain_text("Unauthorized：malformed token")
            assert "Traceback" not in await stranger.page.content()
        await open_page(t, f"{url}/app/member#token={token}")
        page = t.page

        item = page.locator("#obligations li[data-obligation-id]")
        await expect(item).to_have_count(1)
        await expect(item).to_contain_text(policy.title)
        await expect(item.locator("[data-role=due]")).to_have_text(f"截止日期{due_on.isoformat()}")
        await expect(item.locator("[data-role=status]")).to_have_text("待走访")
        await expect(page.locator("#concerns")).to_contain_text("履职清单暂无事项")
        before = await shot(t, artifacts, "visits-member-before")

        # The form as a member fills it in.
        await page.select_option("#channel", label="上门走访、座谈交流")
        await page.fill("#people_reached", "12")
        await page.fill("#heart_to_heart_talks", "13")
        await page.fill("#summary", "宣讲乡村教师政策，听取意见")
        await page.click("#visit-submit")
        notice = page.locator("#visit-notice")
        await expect(notice).to_have_text("谈心谈话人次不能多于联系人次")
        await page.fill("#heart_to_heart_talks", "3")

        # From the obligation itself: the occasion is chosen for the member.
        await item.get_by_role("button", name="为此记录走访").click()
        await expect(page.locator("#occasion")).to_have_value("policy_issued")
        await expect(page.locator("#occurred_on")).to_have_value(shanghai_today().isoformat())
        await page.click("#visit-submit")
        await expect(notice).to_have_class(re.compile("ok"))
        await expect(notice).to_have_text("走访记录已保存，完成必访任务 1 项")
        await expect(item.locator("[data-role=status]")).to_have_text("已完成")
        await expect(item).to_contain_text(f"完成日期{shanghai_today().isoformat()}")
        await expect(page.locator("#summary")).to_have_value("")
        after = await shot(t, artifacts, "visits-member")

        async with httpx.AsyncClient(base_url=url) as client:
            headers = {"Authorization": f"Bearer {token}"}
            visits = (await client.get("/v1/visits", headers=headers)).json()["items"]
            assets = [
                (await client.get(path)).status_code
                for path in ("/app/nope", "/app/static/..%2F__init__.py", "/app/static/x.js")
            ]
        assert t.errors == []

    for text in (before, after):
        for label in ("委员工作台", "必访任务", "记录走访", "联系渠道", "谈心谈话人次", "履职清单"):
            assert label in text
    assert "已完成" in after
    assert [
        (v["channel"], v["occasion"], v["people_reached"], v["heart_to_heart_talks"], v["summary"])
        for v in visits
    ] == [("face_to_face", "policy_issued", 12, 3, "宣讲乡村教师政策，听取意见")]
    assert len(visits[0]["fulfilled_obligation_ids"]) == 1
    assert assets == [404, 404, 404]


async def test_a_micro_suggestion_goes_from_constituent_to_member_to_department_and_is_rated(
    platform: Platform, browser: Browser, artifacts: Path
) -> None:
    member = member_registered(region_code=MISHAN, sector_code="education")

    def token(role: Role, region: str, sub: str) -> str:
        return issue_token(platform.keys.private_key, role=role, region=region, subject=sub)

    constituent = token(Role.CONSTITUENT, MISHAN, "constituent-1")
    department = token(Role.DEPARTMENT, JIXI, DEPT)
    me = platform.keys.token(Role.MEMBER, MISHAN, member_id=member.member_id)
    title = "村口路灯<b>坏了</b>"  # markup in data must show as text, never as markup
    due = (shanghai_today() + timedelta(days=10)).isoformat()
    async with visits_app(platform, member) as url, tab(browser) as citizen:
        # The constituent submits, arriving from the member's link (member id in the fragment).
        await open_page(
            citizen, f"{url}/app/constituent#token={constituent}&member={member.member_id}"
        )
        page = citizen.page
        await expect(page.locator("#member_id")).to_have_value(str(member.member_id))
        await expect(page.locator("#mine")).to_contain_text("您还没有提交过反映")
        await page.select_option("#kind", label="微建议")
        await page.fill("#title", title)
        await page.fill("#body", "晚上路口很黑，老人出行不便，建议尽快修复。")
        await page.check("#consent")
        await page.click("#concern-submit")
        await expect(page.locator("#submit-notice")).to_have_text("提交成功，委员会尽快处理")
        mine = page.locator("#mine li[data-concern-id]")
        await expect(mine).to_have_count(1)
        await expect(mine.locator(".item-title span").first).to_have_text(title)
        await expect(mine.locator("[data-role=status]")).to_have_text("待受理")
        assert await mine.locator("b").count() == 0
        concern_id = UUID(str(await mine.get_attribute("data-concern-id")))

        # The member accepts it onto the duty list and assigns it to the department.
        async with tab(browser) as m:
            await open_page(m, f"{url}/app/member#token={me}")
            duty = m.page.locator(f"#concerns li[data-concern-id='{concern_id}']")
            await expect(duty.locator("[data-role=status]")).to_have_text("待受理")
            await duty.get_by_role("button", name="受理").click()
            await expect(duty.locator("[data-role=status]")).to_have_text("已受理")
            await duty.get_by_label("搜索承办单位").fill("教育")
            await expect(duty.get_by_label("承办单位", exact=True)).to_have_value(DEPT)
            await duty.get_by_label("办理期限").fill(due)
            await duty.get_by_role("button", name="交办").click()
            await expect(duty.locator("[data-role=status]")).to_have_text("已交办")
            await expect(duty).to_contain_text("承办单位鸡西市教育局")
            assert DEPT not in await duty.inner_text()
            duty_text = await shot(m, artifacts, "visits-member-duty-list")
            assert m.errors == []

        # The department replies.
        async with tab(browser) as d:
            await open_page(d, f"{url}/app/department#token={department}")
            assigned = d.page.locator(f"#assigned li[data-concern-id='{concern_id}']")
            await expect(assigned.locator("[data-role=status]")).to_have_text("已交办")
            await expect(assigned).to_contain_text(f"办理期限{due}")
            await assigned.get_by_label("答复意见").fill("已安排维修，三日内修复。")
            await assigned.get_by_role("button", name="提交答复").click()
            await expect(d.page.locator("#assigned-notice")).to_have_text("答复已提交")
            await expect(assigned.locator("[data-role=status]")).to_have_text("已办复")
            await expect(assigned.locator("form")).to_have_count(0)
            department_text = await shot(d, artifacts, "visits-department")
            assert d.errors == []

        # The constituent sees the answer and rates it: satisfied and resolved closes it.
        await page.reload()
        await expect(mine.locator("[data-role=status]")).to_have_text("已办复")
        await expect(mine).to_contain_text("答复已安排维修，三日内修复。")
        await mine.locator("[data-role=rate]").get_by_role("button", name="提交评价").click()
        await expect(page.locator("#mine-notice")).to_contain_text("请选择满意度和是否解决")
        await mine.get_by_label("满意度（1–5 分）").select_option("5")
        await mine.get_by_label("问题是否解决").select_option(label="已解决")
        await mine.get_by_role("button", name="提交评价").click()
        await expect(page.locator("#mine-notice")).to_have_text("感谢您的评价")
        await expect(mine.locator("[data-role=status]")).to_have_text("已办结")
        await expect(mine).to_contain_text("满意度 5 分，已解决")
        citizen_text = await shot(citizen, artifacts, "visits-constituent")
        assert citizen.errors == []

        async with httpx.AsyncClient(base_url=url) as client:
            final: dict[str, Any] = (
                await client.get(
                    f"/v1/concerns/{concern_id}", headers={"Authorization": f"Bearer {me}"}
                )
            ).json()

    assert (final["status"], final["kind"], final["source"]) == (
        "closed",
        "micro_suggestion",
        "online",
    )
    assert final["title"] == title
    assert [(r["department_code"], r["satisfaction"], r["resolved"]) for r in final["rounds"]] == [
        (DEPT, 5, True)
    ]
    assert "履职清单" in duty_text
    assert "承办单位办理" in department_text
    assert "群众微建议" in citizen_text
    assert "我的反映" in citizen_text
    assert all(CHINESE.search(t) for t in (duty_text, department_text, citizen_text))
