"""The whole programme on the real stack for the story tests: all four services in this event
loop (`serving`), the disposal-platform stand-in, and the cast of a small Jixi story.

The cast: three education-sector members in Jixi (A and B will visit, C will not), and two who
the policy must pass by (a Jixi doctor, a Harbin teacher). A keeps two liaisons.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx

from deploy.devtokens import issue_token
from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.visits.jobs import sweep_once
from services.visits.main import create_app as visits_app
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Role
from shared.db.pool import create_pool
from shared.kernel import FixedClock
from tests.support.disposal_platform import DisposalPlatformStub, Mode
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

PROVINCE, JIXI, HARBIN = "230000", "230300", "230100"
JIXI_EDU = "cppcc-230300-edu"
DEPT = "jx-education-bureau"
SECRET = "story-bridge-secret"
POLICY = "鸡西市中小学课后服务提质增效工作方案"


def shanghai_today() -> date:
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


@dataclass
class Member:
    id: UUID
    region: str
    token: str
    liaisons: list[UUID]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Programme:
    platform: Platform
    members: httpx.AsyncClient
    visits: httpx.AsyncClient
    notifications: httpx.AsyncClient
    reporting: httpx.AsyncClient
    stub: DisposalPlatformStub
    # Reporting's "today" (is an obligation due yet?): moved with the sweep's day, so the
    # figures read as they would on the day the story has reached.
    reporting_clock: FixedClock

    def token(self, role: Role, region: str, subject: str | None = None) -> str:
        return issue_token(
            self.platform.keys.private_key, role=role, region=region, subject=subject
        )

    def headers(self, role: Role, region: str, subject: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, region, subject)}"}

    @property
    def city(self) -> dict[str, str]:
        return self.headers(Role.CITY_ADMIN, JIXI)

    async def ok(self, response: Any) -> Any:
        answer: httpx.Response = await response
        assert answer.status_code in (200, 201, 202), answer.text
        return answer.json()

    async def cast(self) -> dict[str, Member]:
        """The committees and five members, through the members API, then known to visits."""
        province = self.headers(Role.PROVINCE_ADMIN, PROVINCE)
        for code, name, region in (
            ("cppcc-230300", "政协鸡西市委员会", JIXI),
            ("cppcc-230100", "政协哈尔滨市委员会", HARBIN),
        ):
            body = {"code": code, "name": name, "region_code": region}
            await self.ok(self.members.post("/v1/committees", json=body, headers=province))
        daoli = {"code": "230102", "name": "道里区"}  # Harbin's counties are not seeded
        await self.ok(self.members.post("/v1/regions", json=daoli, headers=province))
        body = {"code": JIXI_EDU, "name": "教科卫体委员会", "committee_code": "cppcc-230300"}
        await self.ok(self.members.post("/v1/special-committees", json=body, headers=self.city))
        cast = {
            "A": await self._member("王淑芬", "education", "230302", JIXI_EDU),
            "B": await self._member("李建国", "education", "230382", JIXI_EDU),
            "C": await self._member("赵海燕", "education", "230381", JIXI_EDU),
            "D": await self._member("孙明华", "medicine_health", "230302", JIXI_EDU),
            "E": await self._member("周立新", "education", "230102", None),
        }
        a = cast["A"]
        for name, phone, consent in (
            ("张晓东", "17000000001", True),
            ("陈丽娟", "17100000002", False),
        ):
            card = {"name": name, "phone": phone, "consent_to_departments": consent}
            url = f"/v1/members/{a.id}/liaisons"
            linked = await self.ok(self.members.post(url, json=card, headers=self.city))
            a.liaisons.append(UUID(linked["id"]))
        bureau = {"code": DEPT, "name": "鸡西市教育局", "region_code": JIXI}
        await self.ok(self.members.post("/v1/departments", json=bureau, headers=self.city))
        await eventually(
            lambda: self.platform.fetchval(
                "visits",
                "SELECT (SELECT count(*) FROM member_roster) * 10"
                " + (SELECT count(*) FROM liaison_roster)"
                " + (SELECT count(*) FROM department_directory) * 100",
            ),
            lambda n: n == 152,
            what="visits knows the five members, A's two liaisons and the education bureau",
        )
        return cast

    async def _member(self, name: str, sector: str, region: str, special: str | None) -> Member:
        city = region[:4] + "00"
        body = {
            "full_name": name,
            "sector_code": sector,
            "committee_code": f"cppcc-{city}",
            "region_code": region,
            "special_committee_code": special,
        }
        headers = self.headers(Role.CITY_ADMIN, city)
        created = await self.ok(self.members.post("/v1/members", json=body, headers=headers))
        member_id = UUID(created["id"])
        token = issue_token(
            self.platform.keys.private_key,
            role=Role.MEMBER,
            region=region,
            subject=f"member-{member_id}",
            member_id=member_id,
        )
        return Member(member_id, region, token, [])

    async def issue_policy(self) -> dict[str, Any]:
        """Jixi's office announces a policy for the education sector, issued yesterday."""
        body = {
            "title": POLICY,
            "issued_on": (shanghai_today() - timedelta(days=1)).isoformat(),
            "sector_codes": ["education"],
            "region_codes": [JIXI],
        }
        policy: dict[str, Any] = await self.ok(
            self.members.post("/v1/policies", json=body, headers=self.city)
        )
        return policy

    async def obligations(self, **params: Any) -> list[dict[str, Any]]:
        page = await self.ok(self.visits.get("/v1/obligations", params=params, headers=self.city))
        return list(page["items"])

    async def inbox(self, m: Member) -> list[dict[str, Any]]:
        return list(
            (await self.ok(self.notifications.get("/v1/inbox", headers=m.headers)))["items"]
        )

    async def sweep(self, day: date) -> tuple[int, int]:
        """The overdue and escalation sweep as it would run on `day` (10:00 in Jixi)."""
        at = datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
        self.reporting_clock.advance(at - self.reporting_clock.now())
        pool = await create_pool(self.platform.database_urls["visits"])
        try:
            return await sweep_once(
                lambda: VisitsUnitOfWork(pool),
                clock=FixedClock(at),
                timezone="Asia/Shanghai",
                escalate_after_days=7,
                batch_size=100,
            )
        finally:
            await pool.close()

    async def kpi(self, **params: Any) -> dict[str, Any]:
        summary = await self.ok(
            self.reporting.get("/v1/kpi/summary", params=params, headers=self.city)
        )
        rows = summary["rows"]
        return dict(rows[0]) if rows else {"counts": {}, "rates": {}}

    async def dossier(self, m: Member) -> dict[str, Any]:
        url = f"/v1/members/{m.id}/dossier"
        dossier: dict[str, Any] = await self.ok(self.reporting.get(url, headers=m.headers))
        return dossier


@asynccontextmanager
async def programme(platform: Platform, *, bridge: Mode = "ok") -> AsyncIterator[Programme]:
    """All four services and the disposal platform; the sweep is left to the test's clock."""
    stub = DisposalPlatformStub(SECRET, mode=bridge)
    async with AsyncExitStack() as stack:
        stub_url = await stack.enter_async_context(serving(stub.app))
        urls = {}
        urls["members"] = await stack.enter_async_context(
            serving(members_app(platform.settings(MembersSettings, "members")))
        )
        visits = platform.settings(
            VisitsSettings,
            "visits",
            disposal_platform_url=f"{stub_url}/assignments",
            disposal_platform_secret=SECRET,
            bridge_poll_seconds=0.2,
        )
        urls["visits"] = await stack.enter_async_context(serving(visits_app(visits, sweep=False)))
        stub.reply_to = urls["visits"]
        notifications = platform.settings(NotificationsSettings, "notifications")
        urls["notifications"] = await stack.enter_async_context(
            serving(notifications_app(notifications, deliver=False))
        )
        reporting_clock = FixedClock(datetime.now(ZoneInfo("Asia/Shanghai")))
        urls["reporting"] = await stack.enter_async_context(
            serving(
                reporting_app(
                    platform.settings(ReportingSettings, "reporting"), clock=reporting_clock
                )
            )
        )
        clients = {
            name: await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=30))
            for name, url in urls.items()
        }
        yield Programme(platform, stub=stub, reporting_clock=reporting_clock, **clients)
