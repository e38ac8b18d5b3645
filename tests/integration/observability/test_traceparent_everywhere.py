"""Every event on every topic carries a W3C traceparent, in the trace of what caused it.

A small province runs through the four services' APIs (members, contact records with concerns,
two policies, a member retired) while the overdue sweep runs with the clock two months ahead.
Then every topic is read with a plain aiokafka consumer, as an integrator would read it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from services.members.main import create_app as members_app
from services.members.settings import MembersSettings
from services.notifications.main import create_app as notifications_app
from services.notifications.settings import NotificationsSettings
from services.reporting.main import create_app as reporting_app
from services.reporting.settings import ReportingSettings
from services.visits.main import create_app as visits_app
from services.visits.settings import VisitsSettings
from shared.auth import Role
from shared.contracts.topics import ALL_TOPICS
from shared.kernel import SystemClock
from tests.support.faults.workload import JIXI, Workload
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
# What reporting turns into each data-platform fact.
FACT_SOURCES = {
    "dataplatform.visit": "visits.visit",
    "dataplatform.obligation": "visits.obligation",
    "dataplatform.concern": "visits.concern",
}
SETTLED = {"visits.obligation.escalated.v1", "visits.obligation.withdrawn.v1"}


class Ahead:
    """The visits service lives two months on: every obligation is past due and escalates."""

    def now(self) -> datetime:
        return SystemClock().now() + timedelta(days=60)


@dataclass(frozen=True)
class Event:
    topic: str
    type: str
    event_id: str
    traceparent: str | None
    body: dict[str, Any]

    @property
    def trace_id(self) -> str:
        match = TRACEPARENT.match(self.traceparent or "")
        assert match, f"{self.type} {self.event_id}: traceparent {self.traceparent!r}"
        return match.group(1)


@dataclass(frozen=True)
class Snapshot:
    events: list[Event]

    def of(self, *topics: str) -> list[Event]:
        """Each event once (a relay may publish one twice), in topic order."""
        seen: dict[str, Event] = {}
        for e in self.events:
            if e.topic in topics:
                seen.setdefault(e.event_id, e)
        return list(seen.values())

    def typed(self, event_type: str) -> list[Event]:
        return [e for e in self.of(event_type.rsplit(".", 2)[0]) if e.type == event_type]

    def __repr__(self) -> str:  # what `eventually` prints when the workload never settles
        return repr(Counter(e.type for e in self.events))


async def test_every_event_carries_the_trace_of_its_cause(platform: Platform) -> None:
    async with _province(platform) as urls:
        workload = Workload(lambda s: urls[s], platform.keys, seed=19, members=8)
        await workload.setup()
        await _record_visits(workload, urls["visits"])
        await _issue_policies(workload, urls["members"])
        snapshot = await _wait_for(platform, _obligations_opened(8))
        await _retire_first_member(workload, urls["members"])
        snapshot = await _wait_for(platform, _settled)

    all_events = snapshot.events
    missing = [f"{e.topic} {e.type}" for e in all_events if not e.traceparent]
    coverage = 1 - len(missing) / len(all_events)
    print(f"traceparent on {len(all_events) - len(missing)}/{len(all_events)} ({coverage:.1%})")
    assert not missing, Counter(missing)
    assert all(TRACEPARENT.match(e.traceparent or "") for e in all_events)
    _assert_obligations_continue_their_cause(snapshot)
    _assert_facts_carry_their_source_trace(snapshot)
    _assert_notifications_continue_their_cause(snapshot)


def _assert_obligations_continue_their_cause(s: Snapshot) -> None:
    policies = {e.body["occasion_id"]: e.trace_id for e in s.typed("members.policy.issued.v1")}
    opened = s.typed("visits.obligation.opened.v1")
    assert len(opened) == 8
    assert len(policies) == 2
    for e in opened:
        assert e.trace_id == policies[e.body["source_id"]], "opened outside its policy's trace"
    retired = {e.body["member_id"]: e.trace_id for e in s.typed("members.member.retired.v1")}
    withdrawn = s.typed("visits.obligation.withdrawn.v1")
    assert withdrawn
    assert all(e.trace_id == retired[e.body["member_id"]] for e in withdrawn)
    # The sweep starts its own trace per pass: never a request's, never another event's.
    opened_trace = {e.body["obligation_id"]: e.trace_id for e in opened}
    swept = s.typed("visits.obligation.overdue.v1") + s.typed("visits.obligation.escalated.v1")
    assert len(swept) >= 7 * 2
    assert all(e.trace_id != opened_trace[e.body["obligation_id"]] for e in swept)
    assert len({e.trace_id for e in swept}) < len(swept), "one trace per pass, not per event"


def _assert_facts_carry_their_source_trace(s: Snapshot) -> None:
    for fact_topic, source_topic in FACT_SOURCES.items():
        facts = Counter(e.trace_id for e in s.of(fact_topic))
        sources = Counter(e.trace_id for e in s.of(source_topic))
        assert facts == sources, f"{fact_topic} facts not in their {source_topic} events' traces"


def _assert_notifications_continue_their_cause(s: Snapshot) -> None:
    by_id = {e.event_id: e for e in s.events}
    delivered = s.typed("notifications.notification.delivered.v1")
    assert delivered, "no in-app notification was delivered"
    for e in delivered:
        cause = by_id[e.body["source_event_id"]]
        assert e.trace_id == cause.trace_id, f"delivered outside the trace of {cause.type}"


@asynccontextmanager
async def _province(platform: Platform) -> AsyncIterator[dict[str, str]]:
    apps = {
        "members": members_app(platform.settings(MembersSettings, "members")),
        "visits": visits_app(
            platform.settings(VisitsSettings, "visits", sweep_interval_seconds=0.3), clock=Ahead()
        ),
        "notifications": notifications_app(
            platform.settings(NotificationsSettings, "notifications")
        ),
        "reporting": reporting_app(platform.settings(ReportingSettings, "reporting")),
    }
    async with AsyncExitStack() as stack:
        yield {name: await stack.enter_async_context(serving(app)) for name, app in apps.items()}


async def _record_visits(workload: Workload, url: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for i, (member_id, region) in enumerate(workload.member_ids):
            body = {
                "member_id": str(member_id),
                "channel": "face_to_face",
                "occurred_on": workload.day,
                "people_reached": 5 + i,
                "summary": "走访村小，听取意见",
                "concerns": [{"kind": "problem", "title": "路灯", "body": "村口路灯坏了"}]
                if i % 2
                else [],
            }
            headers = workload.keys.headers(Role.MEMBER, region, member_id=member_id)
            # 404 until visits has applied the member's registration (nothing is written then).
            response = await eventually(
                lambda: client.post("/v1/visits", json=body, headers=headers),  # noqa: B023
                lambda r: r.status_code != 404,
                what="visits knows the member",
            )
            assert response.status_code == 201, response.text


async def _issue_policies(workload: Workload, url: str) -> None:
    admin = workload.keys.headers(Role.CITY_ADMIN, JIXI)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        for sector in ("education", "agriculture"):
            body = {
                "title": f"关于{sector}的意见",
                "issued_on": workload.day,
                "sector_codes": [sector],
                "region_codes": [JIXI],
            }
            response = await client.post("/v1/policies", json=body, headers=admin)
            assert response.status_code == 201, response.text


async def _retire_first_member(workload: Workload, url: str) -> None:
    member_id, _ = workload.member_ids[0]
    admin = workload.keys.headers(Role.CITY_ADMIN, JIXI)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.post(f"/v1/members/{member_id}/retire", headers=admin)
        assert response.status_code == 200, response.text


async def _read_every_topic(platform: Platform) -> Snapshot:
    events = []
    for spec in ALL_TOPICS:
        for record in await read_all(platform.stack.kafka_bootstrap, platform.topic(spec.name)):
            headers = {name: value.decode() for name, value in record.headers or ()}
            try:
                body = json.loads(record.value)
            except ValueError:
                body = {}
            topic = spec.name
            event_type = headers.get("ce_type", "?")
            event_id = headers.get("ce_id", f"{record.partition}/{record.offset}")
            events.append(Event(topic, event_type, event_id, headers.get("traceparent"), body))
    return Snapshot(events)


def _obligations_opened(count: int) -> Any:
    def enough(s: Snapshot) -> bool:
        return len(s.typed("visits.obligation.opened.v1")) >= count

    return enough


def _settled(s: Snapshot) -> bool:
    """Every obligation escalated or withdrawn, and reporting has a fact for every event."""
    opened = {e.body["obligation_id"] for e in s.typed("visits.obligation.opened.v1")}
    done = {e.body["obligation_id"] for e in s.of("visits.obligation") if e.type in SETTLED}
    facts = all(len(s.of(f)) == len(s.of(src)) for f, src in FACT_SOURCES.items())
    delivered = bool(s.typed("notifications.notification.delivered.v1"))
    return bool(opened) and opened <= done and facts and delivered


async def _wait_for(platform: Platform, until: Any) -> Snapshot:
    return await eventually(
        lambda: _read_every_topic(platform), until, timeout=90, interval=0.5, what="workload"
    )
