"""What reporting counts as due and as escalated, and the dates it takes (issue 19, 2, 5, 6).

- An obligation counts as due once its due date has passed, whatever period is asked for: one
  due in three days (even if already fulfilled) is in no count yet.
- "Escalated" is escalated and still open; escalated, then fulfilled late is counted apart, in
  the KPIs and in the member's dossier.
- Days outside 2000-01-01..2099-12-31, or not written YYYY-MM-DD, are a 422 problem+json.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from services.reporting.views.kpi import today
from shared.auth import Role
from shared.contracts import visits as v
from shared.contracts.base import IntegrationEvent
from tests.integration.reporting.history import MISHAN, Member, publish_many
from tests.integration.reporting.support import caught_up, rate_triples, reporting, summary
from tests.support.platform import Platform

JIXI = "230300"


def _history(a: Member) -> list[IntegrationEvent]:
    now = today()
    on_time, early, late, open_ = uuid4(), uuid4(), uuid4(), uuid4()
    long_ago = now - timedelta(days=20)

    def fulfilled(ob: Any, due: Any, on: Any, on_time: bool) -> IntegrationEvent:
        event: IntegrationEvent = a.obligation(
            v.ObligationFulfilledV1, ob, due, on, visit_id=uuid4(), fulfilled_on=on, on_time=on_time
        )
        return event

    def escalated(ob: Any) -> IntegrationEvent:
        event: IntegrationEvent = a.obligation(
            v.ObligationEscalatedV1,
            ob,
            long_ago,
            now - timedelta(days=5),
            level=1,
            escalated_to="edu-cttee",
        )
        return event

    return [
        a.registered(),
        # Due three days ago, fulfilled on time.
        a.opened(on_time, now - timedelta(days=3)),
        fulfilled(on_time, now - timedelta(days=3), now - timedelta(days=5), True),
        # Due in three days, already fulfilled: not due yet, so in no count.
        a.opened(early, now + timedelta(days=3)),
        fulfilled(early, now + timedelta(days=3), now - timedelta(days=1), True),
        # Overdue, escalated, then fulfilled late.
        a.opened(late, long_ago),
        a.obligation(v.ObligationOverdueV1, late, long_ago, long_ago + timedelta(days=1)),
        escalated(late),
        fulfilled(late, long_ago, now - timedelta(days=2), False),
        # Overdue, escalated, still open.
        a.opened(open_, long_ago),
        a.obligation(v.ObligationOverdueV1, open_, long_ago, long_ago + timedelta(days=1)),
        escalated(open_),
    ]


EXPECTED = {
    "obligations_due": 3,
    "obligations_fulfilled_on_time": 1,
    "obligations_fulfilled_late": 1,
    "obligations_fulfilled": 2,
    "obligations_overdue": 1,
    "obligations_escalated": 1,
    "obligations_escalated_fulfilled": 1,
}


def _obligation_counts(row: dict[str, Any]) -> dict[str, int]:
    return {k: row["counts"][k] for k in EXPECTED}


async def test_only_past_due_dates_count_and_escalations_fulfilled_late_count_apart(
    platform: Platform,
) -> None:
    a = Member(MISHAN, "education", "甲委员", special_committee_code="edu-cttee")
    events = _history(a)
    await publish_many(platform, events)
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    now = today()
    around = {
        "from": (now - timedelta(days=60)).isoformat(),
        "to": (now + timedelta(days=60)).isoformat(),
    }
    async with reporting(platform) as r:
        await caught_up(platform, len(events))
        without_period = (await summary(r, admin))["rows"][0]
        up_to_today = (await summary(r, admin, to=now.isoformat()))["rows"][0]
        wider = (await summary(r, admin, **around))["rows"][0]
        soon = (now + timedelta(days=10)).isoformat()
        by_day = await summary(r, admin, group_by="day", **{**around, "to": soon})
        dossier = await r.get(f"/v1/members/{a.member_id}/dossier", headers=admin)
    for row in (without_period, up_to_today, wider):
        assert _obligation_counts(row) == EXPECTED
        assert rate_triples(row)["compliance"] == (1, 3, 0.3333)
    # Day by day too: the day three days ahead holds no due obligation yet.
    days = {row["key"]: row["counts"]["obligations_due"] for row in by_day["rows"]}
    assert days.get((now + timedelta(days=3)).isoformat(), 0) == 0
    assert sum(days.values()) == 3
    assert dossier.status_code == 200, dossier.text
    [year] = [y for y in dossier.json()["years"] if y["year"] == now.year]
    assert year["kpis"]["counts"]["obligations_escalated"] == 1
    assert year["kpis"]["counts"]["obligations_escalated_fulfilled"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"to": "0108-07-04"},
        {"to": "1899-12-31"},
        {"from": "9999-12-31"},
        {"from": "2100-01-01"},
        {"to": "0"},
        {"from": "2026-02-30"},
        {"from": "2026-1-1"},
    ],
)
async def test_days_outside_the_window_are_a_problem_not_a_server_error(
    platform: Platform, params: dict[str, str]
) -> None:
    admin = platform.keys.headers(Role.CITY_ADMIN, JIXI)
    async with reporting(platform) as r:
        for path, extra in (("/v1/kpi/summary", {}), ("/v1/kpi/summary/export", {"format": "csv"})):
            answer = await r.get(path, headers=admin, params={**params, **extra})
            assert answer.status_code == 422, (path, params, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
            [error] = answer.json()["errors"]
            assert error["loc"] == ["query", next(iter(params))]
