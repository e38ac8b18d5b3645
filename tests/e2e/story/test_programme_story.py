"""The programme end to end on the real stack, through the services' APIs: a policy for Jixi's
education sector obliges its three teachers; two visit, one lets it go overdue and it escalates;
a liaison raises a concern during a visit, it goes to the education bureau over the bridge, the
bureau's answer comes back through the disposal platform, it is rated and closes; the KPIs for
Jixi's education sector and the member's dossier say exactly that."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from tests.e2e.story.programme import DEPT, POLICY, Member, Programme, programme, shanghai_today
from tests.support.platform import Platform
from tests.support.wait import eventually


async def visit(p: Programme, m: Member, **extra: Any) -> dict[str, Any]:
    body = {
        "member_id": str(m.id),
        "channel": "face_to_face",
        "occasion": "policy_issued",
        "occurred_on": shanghai_today().isoformat(),
        "people_reached": 12,
        "heart_to_heart_talks": 3,
        "summary": "宣讲课后服务政策，听取教师和家长意见",
        **extra,
    }
    recorded: dict[str, Any] = await p.ok(p.visits.post("/v1/visits", json=body, headers=m.headers))
    return recorded


async def step(p: Programme, m: Member, concern: str, action: str, **body: Any) -> dict[str, Any]:
    url = f"/v1/concerns/{concern}/{action}"
    moved: dict[str, Any] = await p.ok(p.visits.post(url, json=body or None, headers=m.headers))
    return moved


def kinds(dossier: dict[str, Any]) -> set[str]:
    return {e["event_type"] for e in dossier["timeline"]}


async def test_a_policy_runs_through_visits_escalation_and_a_closed_concern_into_the_kpis(
    platform: Platform,
) -> None:
    async with programme(platform, bridge="answer_twice") as p:
        cast = await p.cast()
        a, b, c = cast["A"], cast["B"], cast["C"]
        policy = await p.issue_policy()

        # Every education-sector member in Jixi, and only they, owes a visit and hears of it.
        owed = await eventually(p.obligations, lambda o: len(o) == 3, what="three obligations")
        assert {o["member_id"] for o in owed} == {str(a.id), str(b.id), str(c.id)}
        assert {(o["title"], o["status"]) for o in owed} == {(POLICY, "open")}
        due_on = date.fromisoformat(owed[0]["due_on"])
        for m in (a, b, c):
            inbox = await eventually(_inbox(p, m), lambda i: len(i) >= 2, what="two notices")
            assert sorted(i["kind"] for i in inbox) == ["obligation_opened", "policy_issued"]
            assert all(POLICY in i["title"] + i["body"] for i in inbox)

        # A visits with both liaisons; the first raises a request on the spot. B visits too.
        raised = {
            "kind": "request",
            "title": "学校课后服务缺少场地",
            "body": "希望协调社区活动室。",
        }
        first = await visit(
            p, a, liaison_ids=[str(i) for i in a.liaisons],
            concerns=[{**raised, "liaison_id": str(a.liaisons[0])}],
        )  # fmt: skip
        second = await visit(p, b, people_reached=8, heart_to_heart_talks=2)
        assert (
            len(first["fulfilled_obligation_ids"]) == len(second["fulfilled_obligation_ids"]) == 1
        )

        # C does not. Eight days past due the sweep marks it overdue and escalates it once.
        assert await p.sweep(due_on + timedelta(days=8)) == (1, 1)
        late = await p.obligations(member_id=str(c.id))
        assert [(o["status"], o["escalation_level"], o["escalated_to"]) for o in late] == [
            ("escalated", 1, "cppcc-230300-edu")
        ]

        # The concern: accepted, assigned to the bureau, dispatched over the bridge; the
        # platform answers (twice, as a retrying platform would) and A rates it for the liaison.
        listed = await p.ok(
            p.visits.get("/v1/concerns", params={"visit_id": first["id"]}, headers=a.headers)
        )
        concern = listed["items"][0]["id"]
        await step(p, a, concern, "accept")
        reply_by = (shanghai_today() + timedelta(days=10)).isoformat()
        await step(p, a, concern, "assign", department_code=DEPT, due_on=reply_by)
        await eventually(lambda: _replies(p), lambda n: n == 2, what="the platform's replies")
        assert [r.body["applied"] for r in p.stub.replies] == [True, False]
        replied = await p.ok(p.visits.get(f"/v1/concerns/{concern}", headers=a.headers))
        assert replied["status"] == "replied"
        closed = await step(p, a, concern, "rate", satisfaction=5, resolved=True)
        assert closed["status"] == "closed"
        assignment = p.stub.signed[0].body
        assert (assignment["concern_id"], assignment["department_code"]) == (concern, DEPT)

        # The KPIs for Jixi's education sector, numerator over denominator.
        row = await eventually(
            lambda: p.kpi(region_code="230300", sector_code="education"),
            lambda r: (
                r["counts"].get("concerns_rated") == 1
                and r["counts"].get("obligations_escalated") == 1
            ),
            what="the story in the KPIs",
        )
        dossier_a = await eventually(
            lambda: p.dossier(a),
            lambda d: "visits.concern.closed.v1" in kinds(d),
            what="A's dossier",
        )
        dossier_c = await eventually(
            lambda: p.dossier(c), lambda d: "visits.obligation.escalated.v1" in kinds(d),
            what="C's dossier",
        )  # fmt: skip

    rates = {name: (r["numerator"], r["denominator"]) for name, r in row["rates"].items()}
    assert rates["compliance"] == (2, 3)
    assert rates["reply_rate"] == (1, 1)
    assert rates["resolution_rate"] == (1, 1)
    assert rates["satisfaction_rate"] == (1, 1)
    assert rates["coverage"] == (2, 2)  # A's two liaisons, both contacted
    counts = row["counts"]
    assert (counts["contacts"], counts["people_reached"], counts["heart_to_heart_talks"]) == (
        2,
        20,
        5,
    )
    assert (counts["obligations_overdue"], counts["concerns_collected"]) == (1, 1)
    assert {
        "visits.obligation.opened.v1",
        "visits.visit.recorded.v1",
        "visits.obligation.fulfilled.v1",
        "visits.concern.submitted.v1",
        "visits.concern.accepted.v1",
        "visits.concern.assigned.v1",
        "visits.concern.replied.v1",
        "visits.concern.rated.v1",
        "visits.concern.closed.v1",
    } <= kinds(dossier_a)
    assert {
        "visits.obligation.opened.v1",
        "visits.obligation.overdue.v1",
        "visits.obligation.escalated.v1",
    } <= kinds(dossier_c)
    assert "visits.visit.recorded.v1" not in kinds(dossier_c)
    assert policy["title"] == POLICY


def _inbox(p: Programme, m: Member) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
    return lambda: p.inbox(m)


async def _replies(p: Programme) -> int:
    return len(p.stub.replies)
