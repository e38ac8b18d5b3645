"""Concerns on the real stack (问题清单 → 履职清单): raised in contacts or submitted online,
moved through their lifecycle under row locks, each step one history row and one event in
order on `visits.concern`; illegal steps are 409 and leave no trace."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx

from deploy.devtokens import issue_token
from services.visits.main import create_app
from services.visits.settings import VisitsSettings
from shared.auth import Role
from shared.contracts import visits as ev
from shared.contracts.members import LiaisonLinkedV1, MemberRegisteredV1, MemberUpdatedV1
from shared.contracts.topics import VISITS_CONCERN
from shared.kernel import FixedClock
from tests.support.builders import (
    department_registered,
    liaison_linked,
    member_registered,
    publish,
)
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI, HARBIN, MISHAN = "230300", "230100", "230382"
NOW = datetime(2026, 9, 10, 2, 0, tzinfo=UTC)  # 10:00 on 10 Sep 2026 in Jixi
DEPT_A, DEPT_B = "jixi-education-bureau", "jixi-transport-bureau"
Headers = dict[str, str]


@dataclass(frozen=True)
class World:
    platform: Platform
    client: httpx.AsyncClient
    member: MemberRegisteredV1
    other: MemberRegisteredV1
    liaison: LiaisonLinkedV1  # has not consented to departments
    consenting: LiaisonLinkedV1

    def token(self, role: Role, region: str = MISHAN, *, sub: str | None = None) -> Headers:
        jwt = issue_token(self.platform.keys.private_key, role=role, region=region, subject=sub)
        return {"Authorization": f"Bearer {jwt}"}

    def as_member(self, member: MemberRegisteredV1 | None = None) -> Headers:
        m = member or self.member
        return self.platform.keys.headers(Role.MEMBER, m.region_code, member_id=m.member_id)

    def staff(self, region: str = JIXI) -> Headers:
        return self.token(Role.CITY_ADMIN, region)

    def department(self, code: str, region: str = JIXI) -> Headers:
        return self.token(Role.DEPARTMENT, region, sub=code)

    def constituent(self, sub: str, region: str = MISHAN) -> Headers:
        return self.token(Role.CONSTITUENT, region, sub=sub)

    async def act(
        self, concern_id: str, action: str, headers: Headers, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/concerns/{concern_id}/{action}", headers=headers, json=body
        )

    async def get(self, path: str, headers: Headers, **params: Any) -> httpx.Response:
        return await self.client.get(path, headers=headers, params=params)

    async def raise_in_visit(
        self, *concerns: dict[str, Any], member: MemberRegisteredV1 | None = None
    ) -> dict[str, str]:
        """Record a contact raising `concerns`; returns their ids by title."""
        m = member or self.member
        visit = await self.client.post(
            "/v1/visits",
            headers=self.as_member(m),
            json={
                "member_id": str(m.member_id),
                "channel": "face_to_face",
                "occurred_on": "2026-09-09",
                "people_reached": 4,
                "summary": "走访村小",
                "concerns": [{"kind": "problem", "body": "情况说明", **c} for c in concerns],
            },
        )
        assert visit.status_code == 201, visit.text
        listed = await self.get("/v1/concerns", self.as_member(m), visit_id=visit.json()["id"])
        return {c["title"]: c["id"] for c in listed.json()["items"]}

    async def submit_online(self, sub: str, **body: Any) -> httpx.Response:
        return await self.client.post(
            "/v1/concerns/online",
            headers=self.constituent(sub),
            json={
                "member_id": str(self.member.member_id),
                "kind": "micro_suggestion",
                "title": "路灯",
                "body": "村口路灯坏了",
                **body,
            },
        )


async def _count(platform: Platform, sql: str, *args: Any) -> int:
    return int(await platform.fetchval("visits", sql, *args))


@asynccontextmanager
async def world(platform: Platform, **settings: Any) -> AsyncIterator[World]:
    member = member_registered(region_code=MISHAN, sector_code="education")
    other = member_registered(region_code=MISHAN, sector_code="education")
    liaison = liaison_linked(member, consent_to_departments=False)
    consenting = liaison_linked(member, display_name="王*", consent_to_departments=True)
    app = create_app(
        platform.settings(VisitsSettings, "visits", **settings), clock=FixedClock(NOW), sweep=False
    )
    departments = (department_registered(DEPT_A), department_registered(DEPT_B, "鸡西市交通运输局"))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        for e in (member, other, liaison, consenting, *departments):
            await publish(platform, e)
        roster = """SELECT (SELECT count(*) FROM member_roster)
                         + (SELECT count(*) FROM liaison_roster)
                         + (SELECT count(*) FROM department_directory)"""
        await eventually(lambda: _count(platform, roster), lambda n: n == 6, what="roster")
        yield World(platform, client, member, other, liaison, consenting)


async def concern_messages(platform: Platform, concern_id: str) -> list[Any]:
    """The concern's events on its topic, in the order its partition holds them."""
    messages = await read_all(platform.stack.kafka_bootstrap, platform.topic(VISITS_CONCERN.name))
    return [m for m in messages if m.key == concern_id.encode()]


async def concern_events(platform: Platform, concern_id: str) -> list[str]:
    return [
        dict(m.headers)["ce_type"].decode().split(".")[2]
        for m in await concern_messages(platform, concern_id)
    ]


async def outbox_rows(platform: Platform, concern_id: str) -> int:
    return await _count(
        platform, "SELECT count(*) FROM outbox_message WHERE partition_key = $1", concern_id
    )


async def test_a_concern_from_a_contact_goes_two_rounds_and_closes_with_its_events_in_order(
    platform: Platform,
) -> None:
    async with world(platform) as w:
        ids = await w.raise_in_visit(
            {"title": "校车停运", "liaison_id": str(w.liaison.liaison_id), "kind": "request"}
        )
        cid = ids["校车停运"]
        me = w.as_member()
        steps = [
            ("accept", me, None),
            ("assign", w.staff(), {"department_code": DEPT_A, "due_on": "2026-09-20"}),
            ("reply", w.department(DEPT_A), {"reply": "已协调教育局"}),
            ("rate", me, {"satisfaction": 2, "resolved": False}),
            ("assign", me, {"department_code": DEPT_B, "due_on": "2026-09-30"}),
            ("reply", w.department(DEPT_B), {"reply": "校车下周恢复"}),
            ("rate", me, {"satisfaction": 5, "resolved": True}),
        ]
        statuses = []
        for action, headers, body in steps:
            response = await w.act(cid, action, headers, body)
            assert response.status_code == 200, (action, response.text)
            statuses.append(response.json()["status"])
        final = (await w.get(f"/v1/concerns/{cid}", me)).json()
        history = (await w.get(f"/v1/concerns/{cid}/history", me)).json()
        messages = await eventually(
            lambda: concern_messages(platform, cid), lambda m: len(m) >= 10, what="10 events"
        )
        waiting = await platform.fetchval(
            "visits",
            "SELECT array_agg(round ORDER BY round) FROM concern_dispatch "
            "WHERE concern_id = $1 AND status = 'pending'",
            UUID(cid),
        )
    assert statuses == [
        "accepted",
        "assigned",
        "replied",
        "reopened",
        "assigned",
        "replied",
        "closed",
    ]
    assert (final["status"], final["round"], final["department_code"]) == ("closed", 2, DEPT_B)
    assert final["source"] == "contact_record"
    assert [
        (r["round"], r["department_code"], r["reply"], r["satisfaction"], r["resolved"])
        for r in final["rounds"]
    ] == [(1, DEPT_A, "已协调教育局", 2, False), (2, DEPT_B, "校车下周恢复", 5, True)]
    assert [(h["action"], h["from_status"], h["to_status"], h["round"]) for h in history] == [
        ("submit", None, "submitted", 0),
        ("accept", "submitted", "accepted", 0),
        ("assign", "accepted", "assigned", 1),
        ("reply", "assigned", "replied", 1),
        ("rate", "replied", "replied", 1),
        ("reopen", "replied", "reopened", 1),
        ("assign", "reopened", "assigned", 2),
        ("reply", "assigned", "replied", 2),
        ("rate", "replied", "replied", 2),
        ("close", "replied", "closed", 2),
    ]
    types = [dict(m.headers)["ce_type"].decode() for m in messages]
    round_ = ["assigned", "replied", "rated"]
    lifecycle = ["submitted", "accepted", *round_, "reopened", *round_, "closed"]
    assert types == [f"visits.concern.{t}.v1" for t in lifecycle]
    submitted = ev.ConcernSubmittedV1.model_validate_json(messages[0].value)
    assert (submitted.source, submitted.kind, submitted.liaison_id) == (
        "contact_record",
        "request",
        w.liaison.liaison_id,
    )
    second = ev.ConcernAssignedV1.model_validate_json(messages[6].value)
    assert (second.round, second.department_code, str(second.due_on)) == (2, DEPT_B, "2026-09-30")
    replied = ev.ConcernRepliedV1.model_validate_json(messages[7].value)
    assert (replied.round, replied.on_time, str(replied.replied_on)) == (2, True, "2026-09-10")
    assert ev.ConcernClosedV1.model_validate_json(messages[9].value).resolved is True
    assert waiting == [1, 2], "with no platform URL the bridge is off: dispatches wait"


async def test_every_illegal_transition_is_409_and_leaves_no_event_or_history(
    platform: Platform,
) -> None:
    async with world(platform) as w:
        submitted = await w.submit_online("c-1")
        assert submitted.status_code == 201, submitted.text
        cid = submitted.json()["id"]
        me, staff, dept, submitter = (
            w.as_member(),
            w.staff(),
            w.department(DEPT_A),
            w.constituent("c-1"),
        )
        assign = {"department_code": DEPT_A, "due_on": "2026-09-20"}
        rating = {"satisfaction": 5, "resolved": True}
        Attempt = tuple[str, Headers, dict[str, Any] | None]
        illegal: dict[str, list[Attempt]] = {
            "submitted": [
                ("reply", me, {"reply": "x"}),
                ("rate", submitter, rating),
                ("assign", staff, assign),
                ("upgrade", me, {"to": "proposal", "reference": "P-1"}),
            ],
            "accepted": [
                ("accept", me, None),
                ("reject", staff, {"reason": "重复"}),
                ("merge", me, {"into": str(uuid4())}),
                ("reply", me, {"reply": "x"}),
                ("rate", submitter, rating),
            ],
            "assigned": [
                ("assign", staff, assign),
                ("accept", me, None),
                ("rate", submitter, rating),
            ],
            "replied": [("reply", dept, {"reply": "again"}), ("assign", me, assign)],
            "closed": [
                ("rate", submitter, rating),  # rating twice
                ("reply", dept, {"reply": "x"}),
                ("assign", staff, assign),
                ("reject", me, None),
            ],
        }
        legal: dict[str, Attempt] = {
            "submitted": ("accept", me, None),
            "accepted": ("assign", staff, assign),
            "assigned": ("reply", dept, {"reply": "已修复"}),
            "replied": ("rate", submitter, rating),
        }
        for state, attempts in illegal.items():
            for action, headers, body in attempts:
                before = await outbox_rows(platform, cid)
                history = len((await w.get(f"/v1/concerns/{cid}/history", me)).json())
                refused = await w.act(cid, action, headers, body)
                assert refused.status_code == 409, (state, action, refused.text)
                problem = refused.json()
                assert problem["type"] == "urn:cppcc:problem:illegaltransition"
                assert f"cannot {action}" in problem["detail"]
                assert await outbox_rows(platform, cid) == before, (state, action)
                after = len((await w.get(f"/v1/concerns/{cid}/history", me)).json())
                assert after == history
            if state in legal:
                action, headers, body = legal[state]
                assert (await w.act(cid, action, headers, body)).status_code == 200, action
        events = await eventually(
            lambda: concern_events(platform, cid), lambda e: len(e) >= 6, what="6 events"
        )
    assert events == ["submitted", "accepted", "assigned", "replied", "rated", "closed"]


async def test_concurrent_transitions_cannot_both_win(platform: Platform) -> None:
    async with world(platform) as w:
        cid = (await w.raise_in_visit({"title": "积水"}))["积水"]
        accepts = await asyncio.gather(*(w.act(cid, "accept", w.as_member()) for _ in range(3)))
        assigns = await asyncio.gather(
            w.act(cid, "assign", w.staff(), {"department_code": DEPT_A, "due_on": "2026-09-20"}),
            w.act(
                cid, "assign", w.as_member(), {"department_code": DEPT_B, "due_on": "2026-09-21"}
            ),
        )
        dispatches = await _count(
            platform, "SELECT count(*) FROM concern_dispatch WHERE concern_id = $1", UUID(cid)
        )
        rounds = await _count(
            platform, "SELECT count(*) FROM concern_round WHERE concern_id = $1", UUID(cid)
        )
        outbox = await outbox_rows(platform, cid)
    assert sorted(r.status_code for r in accepts) == [200, 409, 409]
    assert sorted(r.status_code for r in assigns) == [200, 409]
    assert (dispatches, rounds) == (1, 1)
    assert outbox == 3, "submitted, accepted, assigned: once each"


async def test_a_duplicate_merges_into_an_earlier_concern_of_the_same_member_and_ends(
    platform: Platform,
) -> None:
    async with world(platform) as w:
        mine = await w.raise_in_visit({"title": "校车"}, {"title": "校车(重复)"}, {"title": "路灯"})
        theirs = await w.raise_in_visit({"title": "别人的"}, member=w.other)
        me = w.as_member()
        into_other = await w.act(mine["路灯"], "merge", me, {"into": theirs["别人的"]})
        into_itself = await w.act(mine["路灯"], "merge", me, {"into": mine["路灯"]})
        merged = await w.act(mine["校车(重复)"], "merge", me, {"into": mine["校车"]})
        into_merged = await w.act(mine["路灯"], "merge", w.staff(), {"into": mine["校车(重复)"]})
        ended = await w.act(mine["校车(重复)"], "accept", me)
        carries_on = await w.act(mine["校车"], "accept", me)
        events = await eventually(
            lambda: concern_messages(platform, mine["校车(重复)"]), lambda m: len(m) >= 2
        )
    assert into_other.status_code == 422, "another member's concern is not a merge target"
    assert into_itself.status_code == 422
    assert merged.status_code == 200
    assert (merged.json()["status"], merged.json()["merged_into"]) == ("merged", mine["校车"])
    assert into_merged.status_code == 409, "a merged concern has ended"
    assert ended.status_code == 409
    assert carries_on.json()["status"] == "accepted"
    merged_event = ev.ConcernMergedV1.model_validate_json(events[1].value)
    assert merged_event.merged_into == UUID(mine["校车"])


async def test_an_upgrade_keeps_provenance_and_a_rejection_tells_the_submitter_why(
    platform: Platform,
) -> None:
    async with world(platform) as w:
        cid = (await w.submit_online("c-1", kind="suggestion")).json()["id"]
        upgrade = {"to": "proposal", "reference": "2027-提案-0042"}
        too_early = await w.act(cid, "upgrade", w.as_member(), upgrade)
        await w.act(cid, "accept", w.as_member())
        by_submitter = await w.act(cid, "upgrade", w.constituent("c-1"), upgrade)
        by_other_member = await w.act(cid, "upgrade", w.as_member(w.other), upgrade)
        upgraded = await w.act(cid, "upgrade", w.staff(), upgrade)
        again = await w.act(cid, "upgrade", w.as_member(), {**upgrade, "reference": "x"})
        assigned = await w.act(
            cid, "assign", w.as_member(), {"department_code": DEPT_A, "due_on": "2026-09-20"}
        )
        messages = await eventually(
            lambda: concern_messages(platform, cid), lambda m: len(m) >= 4, what="4 events"
        )
        dropped = (await w.submit_online("c-1", title="已解决")).json()["id"]
        rejected = await w.act(dropped, "reject", w.as_member(), {"reason": "经核实已解决"})
        told = (await w.get(f"/v1/concerns/{dropped}/history", w.constituent("c-1"))).json()
    assert rejected.json()["status"] == "rejected"
    assert [(h["action"], h["note"], h["actor"]) for h in told] == [
        ("submit", None, None),
        ("reject", "经核实已解决", None),
    ]
    assert too_early.status_code == 409
    assert by_submitter.status_code == 403
    assert by_other_member.status_code == 404
    assert upgraded.status_code == 200
    body = upgraded.json()
    assert (body["id"], body["status"], body["upgraded_to"], body["upgrade_reference"]) == (
        cid,
        "accepted",
        "proposal",
        "2027-提案-0042",
    )
    assert again.status_code == 409
    assert assigned.json()["status"] == "assigned"
    event = ev.ConcernUpgradedV1.model_validate_json(messages[2].value)
    assert (str(event.concern_id), event.upgraded_to, event.reference) == (
        cid,
        "proposal",
        "2027-提案-0042",
    )


async def test_each_role_sees_only_its_concerns_and_everything_else_is_404(
    platform: Platform,
) -> None:
    async with world(platform) as w:
        raised = (await w.raise_in_visit({"title": "A"}))["A"]
        online = (await w.submit_online("c-1", title="B")).json()["id"]
        others = (await w.raise_in_visit({"title": "C"}, member=w.other))["C"]
        me = w.as_member()
        await w.act(raised, "accept", me)
        await w.act(raised, "assign", me, {"department_code": DEPT_A, "due_on": "2026-09-20"})
        await w.act(raised, "reply", w.department(DEPT_A), {"reply": "ok"})
        await w.act(raised, "rate", me, {"satisfaction": 1, "resolved": False})
        await w.act(raised, "assign", me, {"department_code": DEPT_B, "due_on": "2026-09-25"})

        async def listed(headers: Headers) -> set[str]:
            response = await w.get("/v1/concerns", headers)
            assert response.status_code == 200, response.text
            return {c["id"] for c in response.json()["items"]}

        async def status(path: str, headers: Headers) -> int:
            return (await w.get(path, headers)).status_code

        lists = {
            "member": await listed(me),
            "other member": await listed(w.as_member(w.other)),
            "jixi staff": await listed(w.staff()),
            "harbin staff": await listed(w.staff(HARBIN)),
            "dept A (ever)": await listed(w.department(DEPT_A)),
            "dept B (now)": await listed(w.department(DEPT_B)),
            "dept A in Harbin": await listed(w.department(DEPT_A, HARBIN)),
            "unassigned dept": await listed(w.department("jixi-health-commission")),
            "submitter": await listed(w.constituent("c-1")),
            "other constituent": await listed(w.constituent("c-2")),
        }
        hidden = [
            (f"/v1/concerns/{others}", me),
            (f"/v1/concerns/{raised}", w.as_member(w.other)),
            (f"/v1/concerns/{raised}", w.staff(HARBIN)),
            (f"/v1/concerns/{raised}/history", w.staff(HARBIN)),
            (f"/v1/concerns/{online}", w.department(DEPT_A)),
            (f"/v1/concerns/{raised}", w.department(DEPT_A, HARBIN)),
            (f"/v1/concerns/{raised}", w.department("jixi-health-commission")),
            (f"/v1/concerns/{raised}", w.constituent("c-1")),
            (f"/v1/concerns/{online}", w.constituent("c-2")),
            (f"/v1/concerns/{online}/history", w.constituent("c-2")),
            (f"/v1/concerns/{raised}", w.token(Role.AUDITOR, "230000")),
            (f"/v1/concerns/{uuid4()}", w.staff()),
        ]
        hidden_status = [await status(path, headers) for path, headers in hidden]
        writes_hidden = [
            (await w.act(raised, "accept", w.staff(HARBIN))).status_code,
            (await w.act(online, "accept", w.as_member(w.other))).status_code,
            (await w.act(others, "reply", w.department(DEPT_A), {"reply": "x"})).status_code,
        ]
        old_department_replies = await w.act(raised, "reply", w.department(DEPT_A), {"reply": "x"})
        auditor_list = await w.get("/v1/concerns", w.token(Role.AUDITOR, "230000"))
        ever_assigned = (await w.get(f"/v1/concerns/{raised}", w.department(DEPT_A))).json()
    assert lists == {
        "member": {raised, online},
        "other member": {others},
        "jixi staff": {raised, online, others},
        "harbin staff": set(),
        "dept A (ever)": {raised},
        "dept B (now)": {raised},
        "dept A in Harbin": set(),
        "unassigned dept": set(),
        "submitter": {online},
        "other constituent": set(),
    }
    assert hidden_status == [404] * len(hidden)
    assert writes_hidden == [404, 404, 404]
    assert old_department_replies.status_code == 403, "round 2 belongs to department B"
    assert auditor_list.status_code == 403
    assert [r["department_code"] for r in ever_assigned["rounds"]] == [DEPT_A], "only its rounds"


async def test_departments_learn_who_raised_a_concern_only_with_consent(
    platform: Platform,
) -> None:
    async with world(platform) as w:
        raised = await w.raise_in_visit(
            {"title": "no consent", "liaison_id": str(w.liaison.liaison_id)},
            {"title": "consented", "liaison_id": str(w.consenting.liaison_id)},
        )
        anonymous = (await w.submit_online("c-1", title="anonymous")).json()["id"]
        open_ = (await w.submit_online("c-2", title="open", consent_to_share_identity=True)).json()[
            "id"
        ]
        ids = {**raised, "anonymous": anonymous, "open": open_}
        for cid in ids.values():
            await w.act(cid, "accept", w.as_member())
            await w.act(
                cid, "assign", w.staff(), {"department_code": DEPT_A, "due_on": "2026-09-20"}
            )
        dept = w.department(DEPT_A)
        seen = {t: (await w.get(f"/v1/concerns/{cid}", dept)).json() for t, cid in ids.items()}
        member_view = (await w.get(f"/v1/concerns/{ids['no consent']}", w.as_member())).json()
        dept_history = (await w.get(f"/v1/concerns/{ids['open']}/history", dept)).json()
        payloads = {
            t: json.loads(
                await platform.fetchval(
                    "visits",
                    "SELECT payload FROM concern_dispatch WHERE concern_id = $1",
                    UUID(cid),
                )
            )
            for t, cid in ids.items()
        }
    consenting = {
        "liaison_id": str(w.consenting.liaison_id),
        "display_name": "王*",
        "constituent": None,
    }
    assert {t: v["submitter"] for t, v in seen.items()} == {
        "no consent": None,
        "consented": consenting,
        "anonymous": None,
        "open": {"liaison_id": None, "display_name": None, "constituent": "c-2"},
    }
    assert all(v["visit_id"] is None for v in seen.values())
    assert member_view["submitter"]["liaison_id"] == str(w.liaison.liaison_id)
    assert member_view["visit_id"] is not None
    assert {r["actor"] for r in dept_history} == {None}, "no submitter subject via the history"
    assert {t: p["submitter"] for t, p in payloads.items()} == {
        "no consent": None,
        "consented": {"liaison_id": str(w.consenting.liaison_id), "display_name": "王*"},
        "anonymous": None,
        "open": {"constituent": "c-2"},
    }


async def test_online_submissions_address_an_active_member_of_the_constituents_area(
    platform: Platform,
) -> None:
    async with world(platform) as w:
        unknown = await w.submit_online("c-1", member_id=str(uuid4()))
        by_member = await w.client.post(
            "/v1/concerns/online",
            headers=w.as_member(),
            json={
                "member_id": str(w.member.member_id),
                "kind": "problem",
                "title": "t",
                "body": "b",
            },
        )
        elsewhere = await w.client.post(
            "/v1/concerns/online",
            headers=w.constituent("c-1", region="230302"),
            json={
                "member_id": str(w.member.member_id),
                "kind": "problem",
                "title": "t",
                "body": "b",
            },
        )
        blank = await w.submit_online("c-1", title="   ")
        keyed = {**w.constituent("c-1"), "Idempotency-Key": "k-1"}
        body = {"member_id": str(w.member.member_id), "kind": "request", "title": "t", "body": "b"}
        first = await w.client.post("/v1/concerns/online", headers=keyed, json=body)
        again = await w.client.post("/v1/concerns/online", headers=keyed, json=body)
        profile = w.other.model_dump(exclude={"event_id", "event_type", "occurred_at"})
        await publish(
            platform,
            MemberUpdatedV1(**profile, occurred_at=datetime.now(UTC), status="on_leave"),
        )
        await eventually(
            lambda: platform.fetchval(
                "visits", "SELECT status FROM member_roster WHERE member_id = $1", w.other.member_id
            ),
            lambda s: s == "on_leave",
        )
        inactive = await w.submit_online("c-1", member_id=str(w.other.member_id))
        bad_liaison = await w.client.post(
            "/v1/visits",
            headers=w.as_member(),
            json={
                "member_id": str(w.member.member_id),
                "channel": "online",
                "occurred_on": "2026-09-09",
                "people_reached": 1,
                "summary": "线上",
                "concerns": [
                    {"kind": "problem", "title": "t", "body": "b", "liaison_id": str(uuid4())}
                ],
            },
        )
        concerns = await _count(platform, "SELECT count(*) FROM concern")
        visits = await _count(platform, "SELECT count(*) FROM contact_record")
    assert unknown.status_code == 404
    assert by_member.status_code == 403
    assert elsewhere.status_code == 404, "a member outside the constituent's area"
    assert blank.status_code == 422
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert first.headers["Location"] == f"/v1/concerns/{first.json()['id']}"
    assert first.json()["submitter"] == {
        "liaison_id": None,
        "display_name": None,
        "constituent": "c-1",
    }
    assert inactive.status_code == 422
    assert bad_liaison.status_code == 422
    assert (concerns, visits) == (1, 0), "nothing half-written"
