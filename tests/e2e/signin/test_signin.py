"""People sign in through Keycloak's real login page (in Chinese), in headless Chromium against
all four services trusting a real Keycloak: a citizen registers and writes to a member; the
member, whose account the directory made, signs in with the office's one-time password, chooses
their own and assigns the suggestion; the education bureau's officer answers; the citizen rates
it; a city clerk exports the KPIs; the citizen, linked as the member's liaison, reports their own
hardship and the member's obligation opens; the member signs out, is retired, and can no longer
sign in. Tokens stay in memory: never in the address bar, localStorage or sessionStorage.
Screenshots of every step: test-artifacts/signin/."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser, Page, expect

from deploy.local.keycloak import (
    DEV_SECRETS,
    PROVISIONING_CLIENT,
    WEB_CLIENT,
    KeycloakAdmin,
    KeycloakServer,
)
from services.members.settings import MembersSettings
from shared.auth import Role
from shared.settings import ServiceSettings
from tests.e2e.story.programme import DEPT, JIXI, Programme, programme, shanghai_today
from tests.support.platform import Platform
from tests.support.wait import eventually

S = TypeVar("S", bound=ServiceSettings)
PASSWORD = "Cppcc-e2e-2026"  # what people choose at their first sign-in here
LOGIN_FORM = "#kc-form-login"

expect.set_options(timeout=30_000)


@dataclass(frozen=True)
class ProvisioningPlatform(Platform):
    """The platform whose members service provisions accounts in the test's Keycloak."""

    secret_file: Path | None = None

    def settings(self, cls: type[S], service: str, **overrides: Any) -> S:
        if cls is MembersSettings:
            provisioning = {
                "accounts_client_secret_file": self.secret_file,
                "accounts_sync_interval_seconds": 0.2,
            }
            overrides = {**provisioning, **overrides}
        return super().settings(cls, service, **overrides)


@asynccontextmanager
async def signing_in(
    platform: Platform, keycloak: KeycloakServer, tmp_path: Path
) -> AsyncIterator[Programme]:
    secret = tmp_path / "provisioning.secret"
    secret.write_text(DEV_SECRETS[PROVISIONING_CLIENT])
    trusting = platform.trusting(keycloak)
    values = {f.name: getattr(trusting, f.name) for f in fields(trusting)}
    async with programme(ProvisioningPlatform(**values, secret_file=secret)) as p:
        pages = [
            _url(p.visits) + "/app/member",
            _url(p.visits) + "/app/department",
            _url(p.visits) + "/app/constituent",
            _url(p.reporting) + "/app/dashboard",
            _url(p.members) + "/app/liaison",
        ]
        # The session's Keycloak is shared: add this run's pages, and put the client back
        # afterwards, so later tests find the committed realm's redirect URIs.
        saved = await asyncio.to_thread(_register_pages, keycloak, pages)
        try:
            yield p
        finally:
            await asyncio.to_thread(_restore_client, keycloak, saved)


def _url(client: Any) -> str:
    return str(client.base_url).rstrip("/")


def _register_pages(keycloak: KeycloakServer, pages: list[str]) -> dict[str, Any]:
    """This run's pages (on free ports) added to the web client's exact redirect URIs; returns
    the client as it was."""
    with KeycloakAdmin.of(keycloak) as admin:
        saved: dict[str, Any] = admin.client(WEB_CLIENT)
        origins = {re.sub(r"(https?://[^/]+).*", r"\1", p) for p in pages}
        attributes = dict(saved["attributes"])
        logout = set(filter(None, attributes.get("post.logout.redirect.uris", "").split("##")))
        attributes["post.logout.redirect.uris"] = "##".join(sorted(logout | set(pages)))
        admin.update_client(
            WEB_CLIENT,
            redirectUris=sorted(set(saved["redirectUris"]) | set(pages)),
            webOrigins=sorted(set(saved.get("webOrigins", [])) | origins),
            attributes=attributes,
        )
    return saved


def _restore_client(keycloak: KeycloakServer, saved: dict[str, Any]) -> None:
    with KeycloakAdmin.of(keycloak) as admin:
        admin.update_client(
            WEB_CLIENT,
            redirectUris=saved["redirectUris"],
            webOrigins=saved.get("webOrigins", []),
            attributes=saved["attributes"],
        )


def _with_admin(keycloak: KeycloakServer, work: Any) -> Any:
    with KeycloakAdmin.of(keycloak) as admin:
        return work(admin)


@asynccontextmanager
async def person(browser: Browser) -> AsyncIterator[Page]:
    """One person's own browser (cookies and all), on a phone-sized screen."""
    context = await browser.new_context(
        locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 390, "height": 844}
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


async def at_login_page(page: Page) -> None:
    """Keycloak's own login page, in Chinese."""
    await expect(page.locator(LOGIN_FORM)).to_be_visible()
    assert "/realms/cppcc/" in page.url
    assert "登录" in await page.title()


async def sign_in(page: Page, username: str, password: str) -> None:
    await at_login_page(page)
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#kc-login")


async def first_sign_in(page: Page, username: str, one_time: str) -> None:
    """With the office's one-time password; Keycloak then asks for the person's own."""
    await sign_in(page, username, one_time)
    await expect(page.locator("#password-new")).to_be_visible()
    await page.fill("#password-new", PASSWORD)
    await page.fill("#password-confirm", PASSWORD)
    await page.locator("input[type=submit], button[type=submit]").first.click()


async def signed_in(page: Page, back_at: str) -> None:
    """Back on our page, signed in: 退出登录 shown; no code or token in the address bar, no
    token in either web storage."""
    await expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    assert page.url.startswith(back_at)
    assert "code=" not in page.url
    assert "token" not in page.url
    stored = await page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    assert "eyJ" not in stored  # no JWT (access, refresh or ID token) in any storage


async def test_people_sign_in_through_keycloak_and_each_does_their_part(
    platform: Platform,
    keycloak: KeycloakServer,
    browser: Browser,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    async with signing_in(platform, keycloak, tmp_path) as p:
        cast = await p.cast()
        a = cast["A"]
        visits, reporting = _url(p.visits), _url(p.reporting)
        async with person(browser) as citizen:
            # A citizen registers on the login page, and writes to member A.
            await citizen.goto(f"{visits}/app/constituent#member={a.id}")
            await at_login_page(citizen)
            await shot(citizen, artifacts, "1-login-page")
            await citizen.get_by_role("link", name="注册").click()
            await citizen.fill("#username", "zhang-xiaodong")
            await citizen.fill("#password", PASSWORD)
            await citizen.fill("#password-confirm", PASSWORD)
            await citizen.fill("#email", "zhangxd@example.cn")
            await citizen.fill("#firstName", "晓东")
            await citizen.fill("#lastName", "张")
            await citizen.locator("input[type=submit], button[type=submit]").first.click()
            await signed_in(citizen, f"{visits}/app/constituent")
            await expect(citizen.locator("#member_id")).to_have_value(str(a.id))
            await citizen.select_option("#kind", label="微建议")
            await citizen.fill("#title", "学校课后服务缺少场地")
            await citizen.fill("#body", "希望协调社区活动室，方便学生课后活动。")
            await citizen.click("#concern-submit")
            await expect(citizen.locator("#submit-notice")).to_have_text("提交成功，委员会尽快处理")
            await shot(citizen, artifacts, "2-citizen-registered-and-submitted")

            async with person(browser) as member:
                # Member A's account came from the directory; the office hands over a
                # one-time password, A chooses their own and assigns the suggestion.
                account = await eventually(
                    lambda: p.ok(p.members.get(f"/v1/members/{a.id}/account", headers=p.city)),
                    lambda acc: acc["state"] == "synced",
                    what="A's account made by the members service",
                )
                issued = await p.ok(
                    p.members.post(f"/v1/members/{a.id}/account/password", headers=p.city)
                )
                await member.goto(f"{visits}/app/member")
                await first_sign_in(member, account["username"], issued["temporary_password"])
                await signed_in(member, f"{visits}/app/member")
                duty = member.locator("#concerns li[data-concern-id]")
                await duty.get_by_role("button", name="受理").click()
                await expect(duty.locator("[data-role=status]")).to_have_text("已受理")
                await duty.get_by_label("搜索承办单位").fill("教育")
                await expect(duty.get_by_label("承办单位", exact=True)).to_have_value(DEPT)
                reply_by = (shanghai_today() + timedelta(days=10)).isoformat()
                await duty.get_by_label("办理期限").fill(reply_by)
                await duty.get_by_role("button", name="交办").click()
                await expect(duty.locator("[data-role=status]")).to_have_text("已交办")
                await shot(member, artifacts, "3-member-signed-in-assigns")

                # The education bureau's officer answers on the department page.
                await asyncio.to_thread(
                    _with_admin,
                    keycloak,
                    lambda admin: admin.ensure_user(
                        "jx-edu-officer",
                        role=Role.DEPARTMENT.value,
                        region=JIXI,
                        department_code=DEPT,
                        first_name="教育局承办人",
                        password=PASSWORD,
                    ),
                )
                async with person(browser) as officer:
                    await officer.goto(f"{visits}/app/department")
                    await sign_in(officer, "jx-edu-officer", PASSWORD)
                    await signed_in(officer, f"{visits}/app/department")
                    assigned = officer.locator("#assigned li[data-concern-id]")
                    await assigned.get_by_label("答复意见").fill("已协调社区活动室，下周起开放。")
                    await assigned.get_by_role("button", name="提交答复").click()
                    await expect(assigned.locator("[data-role=status]")).to_have_text("已办复")
                    await shot(officer, artifacts, "4-department-officer-replies")

                # The citizen rates the answer to the concern they raised.
                await citizen.reload()  # the tokens were in memory: signed in again by SSO
                await signed_in(citizen, f"{visits}/app/constituent")
                mine = citizen.locator("#mine li[data-concern-id]")
                await mine.get_by_label("满意度（1–5 分）").select_option("5")
                await mine.get_by_label("问题是否解决").select_option(label="已解决")
                await mine.get_by_role("button", name="提交评价").click()
                await expect(mine.locator("[data-role=status]")).to_have_text("已办结")
                await shot(citizen, artifacts, "5-citizen-rates")

                # A city clerk, whose account the city office created, exports Jixi's KPIs.
                clerk_account = {
                    "username": "jx-clerk-li",
                    "full_name": "李文书",
                    "role": "city_admin",
                    "region_code": JIXI,
                }
                clerk_issued = await p.ok(
                    p.members.post("/v1/accounts", json=clerk_account, headers=p.city)
                )
                async with person(browser) as clerk:
                    await clerk.goto(f"{reporting}/app/dashboard")
                    await first_sign_in(clerk, "jx-clerk-li", clerk_issued["temporary_password"])
                    await signed_in(clerk, f"{reporting}/app/dashboard")
                    await expect(clerk.locator("#scope-line")).to_contain_text("数据范围")
                    async with clerk.expect_download() as download:
                        await clerk.locator("#export-total button").first.click()
                    assert (await download.value).suggested_filename
                    await shot(clerk, artifacts, "6-city-clerk-dashboard")

                # A links the citizen's account to their liaison 张晓东; signed in as the
                # citizen, the liaison reports their own hardship and A's obligation opens.
                subject = await asyncio.to_thread(
                    _with_admin, keycloak, lambda admin: admin.user("zhang-xiaodong")["id"]
                )
                linked = await p.members.put(
                    f"/v1/liaisons/{a.liaisons[0]}/account",
                    json={"subject": subject},
                    headers=a.headers,
                )
                assert linked.status_code == 204, linked.text
                await citizen.goto(f"{_url(p.members)}/app/liaison")
                await signed_in(citizen, f"{_url(p.members)}/app/liaison")
                await citizen.select_option("#kind", label="遇到严重困难")
                await citizen.fill("#summary", "家中老人住院，需要帮扶")
                await citizen.click("#report-submit")
                await expect(citizen.locator("#report-notice")).to_contain_text("已报告")
                await shot(citizen, artifacts, "7-liaison-reports-own-hardship")
                owed = await eventually(
                    lambda: p.obligations(member_id=str(a.id), occasion_kind="liaison_hardship"),
                    lambda items: len(items) == 1,
                    what="A's obligation to visit the liaison",
                )
                assert owed[0]["liaison_id"] == str(a.liaisons[0])
                assert owed[0]["status"] == "open"

                # A signs out: back on the login page. Retired, A can no longer sign in.
                await member.get_by_role("button", name="退出登录").click()
                await at_login_page(member)
                await shot(member, artifacts, "8-member-signed-out")
                retired = await p.members.post(f"/v1/members/{a.id}/retire", headers=p.city)
                assert retired.status_code == 200, retired.text
                await eventually(
                    lambda: p.ok(p.members.get(f"/v1/members/{a.id}/account", headers=p.city)),
                    lambda acc: acc["state"] == "synced" and acc["enabled"] is False,
                    what="A's account disabled",
                )
                await member.goto(f"{visits}/app/member")
                await sign_in(member, account["username"], PASSWORD)
                await expect(member.locator("body")).to_contain_text("禁用")
                await at_login_page(member)
                await shot(member, artifacts, "9-retired-member-refused")
