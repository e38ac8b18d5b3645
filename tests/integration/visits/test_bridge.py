"""The bridge to the government disposal platform (政务联动处置平台) on the real stack, against a
stand-in platform on 127.0.0.1: signed assignments, retries with backoff, failures staff can see
and replay, timeouts, and signed replies that apply once however often they arrive."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx

from deploy.devtokens import issue_token
from services.visits.adapters import DisposalPlatform
from services.visits.commands import DispatchAssignments
from services.visits.handlers.bridge import dispatch_assignments
from services.visits.main import create_app
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.auth import Role
from shared.contracts.members import LiaisonLinkedV1, MemberRegisteredV1
from shared.db.pool import create_pool
from shared.kernel import FixedClock
from tests.support.builders import (
    department_registered,
    liaison_linked,
    member_registered,
    publish,
)
from tests.support.disposal_platform import DisposalPlatformStub, sign
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

JIXI, HARBIN, MISHAN = "230300", "230100", "230382"
NOW = datetime(2026, 9, 10, 2, 0, tzinfo=UTC)
DEPT = "jixi-education-bureau"
SECRET = "bridge-test-secret"
Headers = dict[str, str]
# Short backoffs keep the run quick; three attempts before a dispatch is marked failed.
FAST = {
    "disposal_platform_secret": SECRET,
    "bridge_poll_seconds": 0.05,
    "bridge_backoff_base_seconds": 0.05,
    "bridge_backoff_max_seconds": 0.2,
    "bridge_max_attempts": 3,
    "disposal_platform_timeout_seconds": 10.0,  # generous: a busy test machine is not a failure
}


@dataclass(frozen=True)
class World:
    platform: Platform
    settings: VisitsSettings
    client: httpx.AsyncClient
    member: MemberRegisteredV1
    liaison: LiaisonLinkedV1
    consenting: LiaisonLinkedV1

    def token(self, role: Role, region: str = JIXI, *, sub: str | None = None) -> Headers:
        jwt = issue_token(self.platform.keys.private_key, role=role, region=region, subject=sub)
        return {"Authorization": f"Bearer {jwt}"}

    @property
    def me(self) -> Headers:
        m = self.member
        return self.platform.keys.headers(Role.MEMBER, m.region_code, member_id=m.member_id)

    async def assigned(self, *liaisons: LiaisonLinkedV1 | None) -> list[str]:
        """Concerns raised in one contact (one per liaison given), accepted and assigned."""
        visit = await self.client.post(
            "/v1/visits",
            headers=self.me,
            json={
                "member_id": str(self.member.member_id),
                "channel": "face_to_face",
                "occurred_on": "2026-09-09",
                "people_reached": 2,
                "summary": "走访",
                "concerns": [
                    {
                        "kind": "problem",
                        "title": f"concern {i}",
                        "body": "校车停运",
                        "liaison_id": str(lo.liaison_id) if lo else None,
                    }
                    for i, lo in enumerate(liaisons)
                ],
            },
        )
        assert visit.status_code == 201, visit.text
        listed = await self.client.get(
            "/v1/concerns", headers=self.me, params={"visit_id": visit.json()["id"]}
        )
        by_title = {c["title"]: c["id"] for c in listed.json()["items"]}
        ids = [by_title[f"concern {i}"] for i in range(len(liaisons))]
        for cid in ids:
            assert (await self.act(cid, "accept", self.me)).status_code == 200
            assign = {"department_code": DEPT, "due_on": "2026-09-20"}
            assert (await self.act(cid, "assign", self.me, assign)).status_code == 200
        return ids

    async def act(
        self, cid: str, action: str, headers: Headers, body: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.client.post(f"/v1/concerns/{cid}/{action}", headers=headers, json=body)

    async def dispatch(self, cid: str, round_: int = 1) -> dict[str, Any]:
        row = await self.platform.fetchval(
            "visits",
            """SELECT json_build_object('id', id, 'status', status, 'attempts', attempts,
                   'last_error', last_error)::text
               FROM concern_dispatch WHERE concern_id = $1 AND round = $2""",
            UUID(cid),
            round_,
        )
        return dict(json.loads(row)) if row else {}

    async def post_reply(self, body: dict[str, Any], headers: Headers) -> httpx.Response:
        raw = json.dumps(body).encode()
        return await self.client.post(
            "/v1/bridge/replies",
            content=raw,
            headers={"Content-Type": "application/json", **headers},
        )


@asynccontextmanager
async def bridged(
    platform: Platform,
    stub: DisposalPlatformStub | None = None,
    *,
    dispatcher: bool = True,
    **overrides: Any,
) -> AsyncIterator[World]:
    """Visits wired to `stub` (None: the bridge's outbound side is off)."""
    async with _stub_url(stub) as url:
        settings = {
            **FAST,
            "disposal_platform_url": f"{url}/assignments" if url else "",
            **overrides,
        }
        member = member_registered(region_code=MISHAN, sector_code="education")
        liaison = liaison_linked(member, consent_to_departments=False)
        consenting = liaison_linked(member, display_name="王*", consent_to_departments=True)
        configured = platform.settings(VisitsSettings, "visits", **settings)
        app = create_app(configured, clock=FixedClock(NOW), sweep=False, bridge=dispatcher)
        async with serving(app) as visits_url, httpx.AsyncClient(base_url=visits_url) as client:
            if stub is not None:
                stub.reply_to = visits_url
            for e in (member, liaison, consenting, department_registered(DEPT)):
                await publish(platform, e)
            roster = """SELECT (SELECT count(*) FROM member_roster)
                             + (SELECT count(*) FROM liaison_roster)
                             + (SELECT count(*) FROM department_directory)"""
            await eventually(
                lambda: platform.fetchval("visits", roster), lambda n: n == 4, what="roster"
            )
            yield World(platform, configured, client, member, liaison, consenting)


@asynccontextmanager
async def _stub_url(stub: DisposalPlatformStub | None) -> AsyncIterator[str | None]:
    if stub is None:
        yield None
        return
    async with serving(stub.app) as url:
        yield url


def _sent(d: dict[str, Any]) -> bool:
    return d.get("status") == "sent"


async def test_assignments_reach_the_platform_signed_keyed_by_round_and_identity_only_by_consent(
    platform: Platform,
) -> None:
    stub = DisposalPlatformStub(SECRET)
    async with bridged(platform, stub) as w:
        quiet, consented = await w.assigned(w.liaison, w.consenting)
        await eventually(lambda: w.dispatch(quiet), _sent, what="first sent")
        await eventually(lambda: w.dispatch(consented), _sent, what="second sent")
        await w.act(quiet, "reply", w.token(Role.DEPARTMENT, sub=DEPT), {"reply": "已处理"})
        await w.act(quiet, "rate", w.me, {"satisfaction": 3, "resolved": True})
        await w.act(quiet, "assign", w.me, {"department_code": DEPT, "due_on": "2026-09-30"})
        await eventually(lambda: w.dispatch(quiet, 2), _sent, what="round 2 sent")
        listed = await w.client.get(
            "/v1/bridge/dispatches", headers=w.token(Role.CITY_ADMIN), params={"status": "sent"}
        )
    by_key = {r.idempotency_key: r for r in stub.received}
    assert len(stub.received) == 3
    assert all(r.signature_ok for r in stub.received)
    assert set(by_key) == {f"{quiet}:1", f"{consented}:1", f"{quiet}:2"}
    first = by_key[f"{quiet}:1"].body
    assert (first["concern_id"], first["round"], first["department_code"]) == (quiet, 1, DEPT)
    assert (first["due_on"], first["body"], first["submitter"]) == ("2026-09-20", "校车停运", None)
    assert by_key[f"{consented}:1"].body["submitter"] == {
        "liaison_id": str(w.consenting.liaison_id),
        "display_name": "王*",
    }
    assert by_key[f"{quiet}:2"].body["round"] == 2
    assert by_key[f"{quiet}:2"].body["due_on"] == "2026-09-30"
    assert listed.status_code == 200
    assert sorted((d["concern_id"], d["round"], d["attempts"]) for d in listed.json()["items"]) == (
        sorted([(quiet, 1, 1), (consented, 1, 1), (quiet, 2, 1)])
    )


async def test_a_failing_platform_gets_the_same_signed_assignment_again_until_it_takes_it(
    platform: Platform,
) -> None:
    stub = DisposalPlatformStub(SECRET, mode="fail", times=2)
    async with bridged(platform, stub) as w:
        (cid,) = await w.assigned(None)
        sent = await eventually(lambda: w.dispatch(cid), _sent, what="sent after retries")
    assert (sent["attempts"], sent["last_error"]) == (3, None)
    assert len(stub.signed) == 3
    assert {r.idempotency_key for r in stub.received} == {f"{cid}:1"}
    assert len({r.raw for r in stub.received}) == 1, "the same body every time"


async def test_a_dispatch_that_keeps_failing_is_marked_failed_shown_to_staff_and_replayable(
    platform: Platform,
) -> None:
    stub = DisposalPlatformStub(SECRET, mode="always_fail")
    async with bridged(platform, stub) as w:
        (cid,) = await w.assigned(None)
        failed = await eventually(
            lambda: w.dispatch(cid), lambda d: d.get("status") == "failed", what="failed"
        )
        attempts_before_replay = len(stub.signed)
        jixi, harbin = w.token(Role.CITY_ADMIN), w.token(Role.CITY_ADMIN, HARBIN)

        async def failed_list(headers: Headers) -> httpx.Response:
            params = {"status": "failed"}
            return await w.client.get("/v1/bridge/dispatches", headers=headers, params=params)

        shown = await failed_list(jixi)
        elsewhere = await failed_list(harbin)
        as_member = await failed_list(w.me)
        as_department = await failed_list(w.token(Role.DEPARTMENT, sub=DEPT))
        retry = f"/v1/bridge/dispatches/{failed['id']}/retry"
        retry_elsewhere = await w.client.post(retry, headers=harbin)
        retry_by_member = await w.client.post(retry, headers=w.me)
        stub.mode = "ok"
        replayed = await w.client.post(retry, headers=jixi)
        sent = await eventually(lambda: w.dispatch(cid), _sent, what="sent after replay")
        again = await w.client.post(retry, headers=jixi)
        unknown = await w.client.post(f"/v1/bridge/dispatches/{uuid4()}/retry", headers=jixi)
    assert (failed["attempts"], failed["last_error"]) == (3, "HTTP 500")
    assert [(d["concern_id"], d["status"]) for d in shown.json()["items"]] == [(cid, "failed")]
    assert shown.json()["items"][0]["last_error"] == "HTTP 500"
    assert elsewhere.json()["items"] == []
    assert (as_member.status_code, as_department.status_code) == (403, 403)
    assert (retry_elsewhere.status_code, retry_by_member.status_code) == (404, 403)
    assert replayed.status_code == 200
    assert (replayed.json()["status"], replayed.json()["attempts"]) == ("pending", 0)
    assert sent["attempts"] == 1
    assert again.status_code == 409, "already delivered"
    assert unknown.status_code == 404
    assert (attempts_before_replay, len(stub.signed)) == (3, 4)
    assert {r.idempotency_key for r in stub.received} == {f"{cid}:1"}


async def test_a_platform_slower_than_the_timeout_counts_as_a_failure_and_is_retried(
    platform: Platform,
) -> None:
    stub = DisposalPlatformStub(SECRET, mode="slow", times=1, delay=2.5)
    # The backoff leaves a window long enough to see the timed-out attempt recorded, even on
    # a loaded CI machine. FAST caps every backoff at 0.2 s, so the cap is raised too: with it
    # the window was 0.2 s, and a fresh-clone run once polled only after the retry had sent.
    settings: dict[str, Any] = {
        "disposal_platform_timeout_seconds": 1.0,
        "bridge_backoff_base_seconds": 3.0,
        "bridge_backoff_max_seconds": 3.0,
    }
    async with bridged(platform, stub, **settings) as w:
        (cid,) = await w.assigned(None)
        timed_out = await eventually(
            lambda: w.dispatch(cid), lambda d: d.get("attempts") == 1, what="first attempt"
        )
        sent = await eventually(lambda: w.dispatch(cid), _sent, what="sent on the retry")
    assert (timed_out["status"], timed_out["last_error"]) == ("pending", "timed out after 1.0s")
    assert sent["attempts"] == 2
    assert [r.idempotency_key for r in stub.signed] == [f"{cid}:1"] * 2


async def test_a_reply_the_platform_delivers_twice_is_applied_once(platform: Platform) -> None:
    stub = DisposalPlatformStub(SECRET, mode="answer_twice")
    async with bridged(platform, stub) as w:
        (cid,) = await w.assigned(None)
        await eventually(lambda: _len(stub.replies), lambda n: n == 2, what="two replies")
        concern = (await w.client.get(f"/v1/concerns/{cid}", headers=w.me)).json()
        history = (await w.client.get(f"/v1/concerns/{cid}/history", headers=w.me)).json()
        replied_events = await _replied_events(w, cid)
        rated = await w.act(cid, "rate", w.me, {"satisfaction": 5, "resolved": True})
    assert [(r.status_code, r.body["applied"]) for r in stub.replies] == [(200, True), (200, False)]
    assert concern["status"] == "replied"
    assert [(r["reply"], r["replied_via"]) for r in concern["rounds"]] == [
        (stub.reply_text, "disposal_platform")
    ]
    assert [h["action"] for h in history].count("reply") == 1
    assert next(h for h in history if h["action"] == "reply")["actor_role"] == "disposal_platform"
    assert replied_events == 1
    assert rated.json()["status"] == "closed"


async def _len(items: list[Any]) -> int:
    return len(items)


async def test_forged_or_stale_replies_are_401_and_change_nothing(platform: Platform) -> None:
    async with bridged(platform) as w:  # inbound only: no platform URL, a secret
        (cid,) = await w.assigned(None)
        reply = {"concern_id": cid, "round": 1, "department_code": DEPT, "reply": "已处理"}
        raw = json.dumps(reply).encode()
        stale = sign(SECRET, raw, now=time.time() - 301)
        tampered = {**reply, "reply": "改过的答复"}
        refused = [
            await w.post_reply(reply, {}),
            await w.post_reply(reply, sign("not-the-secret", raw)),
            await w.post_reply(reply, stale),
            await w.post_reply(tampered, sign(SECRET, raw)),
            await w.post_reply(reply, {"X-Signature": sign(SECRET, raw)["X-Signature"]}),
        ]
        unchanged = (await w.client.get(f"/v1/concerns/{cid}", headers=w.me)).json()
        replied_events = await _replied_events(w, cid)

        def signed(body: dict[str, Any]) -> Headers:
            return sign(SECRET, json.dumps(body).encode())

        other_department = {**reply, "department_code": "jixi-health-commission"}
        wrong_department = await w.post_reply(other_department, signed(other_department))
        no_such_round = await w.post_reply({**reply, "round": 2}, signed({**reply, "round": 2}))
        unknown = {**reply, "concern_id": str(uuid4())}
        unknown_concern = await w.post_reply(unknown, signed(unknown))
        accepted = await w.post_reply(reply, signed(reply))
        after = (await w.client.get(f"/v1/concerns/{cid}", headers=w.me)).json()
    assert [r.status_code for r in refused] == [401] * 5
    assert all(r.json()["type"] == "urn:cppcc:problem:unauthorized" for r in refused)
    assert (unchanged["status"], unchanged["rounds"][0]["reply"]) == ("assigned", None)
    assert replied_events == 0
    assert wrong_department.status_code == 409
    assert (no_such_round.status_code, unknown_concern.status_code) == (404, 404)
    assert accepted.status_code == 200
    assert accepted.json() == {"concern_id": cid, "round": 1, "applied": True}
    assert (after["status"], after["rounds"][0]["reply"]) == ("replied", "已处理")


async def _replied_events(w: World, cid: str) -> int:
    return int(
        await w.platform.fetchval(
            "visits",
            "SELECT count(*) FROM outbox_message WHERE partition_key = $1 AND event_type = $2",
            cid,
            "visits.concern.replied.v1",
        )
    )


async def test_replicas_dispatching_at_the_same_time_send_each_assignment_once(
    platform: Platform,
) -> None:
    stub = DisposalPlatformStub(SECRET)
    async with bridged(platform, stub, dispatcher=False) as w:
        ids = await w.assigned(None, None, None, None)
        settings = w.settings.model_copy(update={"bridge_batch_size": 2})
        pool = await create_pool(platform.database_urls["visits"])
        try:
            async with httpx.AsyncClient() as http:
                replica = DisposalPlatform(
                    http,
                    url=settings.disposal_platform_url,
                    secret=SECRET,
                    timeout_seconds=10,
                )
                batch = DispatchAssignments(limit=settings.bridge_batch_size)
                passes = [
                    dispatch_assignments(
                        batch, uow=VisitsUnitOfWork(pool), platform=replica, settings=settings
                    )
                    for _ in range(3)
                ]
                tried = await asyncio.gather(*passes)
        finally:
            await pool.close()
        statuses = [(await w.dispatch(cid))["status"] for cid in ids]
    assert sorted(tried) == [0, 2, 2], "two replicas take disjoint rows; the third finds none"
    assert sorted(r.idempotency_key or "" for r in stub.received) == sorted(f"{c}:1" for c in ids)
    assert statuses == ["sent"] * 4
