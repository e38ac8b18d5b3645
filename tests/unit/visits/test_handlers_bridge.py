"""The bridge's use cases: assignments delivered and retried, replays, replies taken in once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import httpx
import pytest

from services.visits.adapters import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, DisposalPlatform
from services.visits.commands import DispatchAssignments, RecordPlatformReply, ReplayDispatch
from services.visits.domain.concerns import Concern, Status
from services.visits.handlers.bridge import (
    dispatch_assignments,
    receive_platform_reply,
    replay_dispatch,
)
from services.visits.settings import VisitsSettings
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import visits as ev
from shared.errors import Conflict, Forbidden, NotFound
from shared.kernel import FixedClock
from tests.unit.visits.fake_concerns import RoundRow
from tests.unit.visits.fakes import (
    NOW,
    TIMEZONE,
    TODAY,
    FakeVisitsUnitOfWork,
    member_principal,
    staff,
)

SETTINGS = VisitsSettings(
    disposal_platform_url="https://platform.test/assignments",
    bridge_max_attempts=2,
    bridge_backoff_base_seconds=5,
)


class PlatformStub:
    """The platform's side of the wire: answers with `status` and keeps what it received."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.received.append(request)
        return httpx.Response(self.status)


@pytest.fixture
def stub() -> PlatformStub:
    return PlatformStub()


@pytest.fixture
async def platform(stub: PlatformStub) -> AsyncIterator[DisposalPlatform]:
    async with httpx.AsyncClient(transport=httpx.MockTransport(stub)) as http:
        yield DisposalPlatform(
            http, url=SETTINGS.disposal_platform_url, secret="s3cret", timeout_seconds=1
        )


async def _queued(fake: FakeVisitsUnitOfWork, concern_id: UUID | None = None) -> UUID:
    dispatch_id = uuid4()
    await fake.dispatches.add(
        dispatch_id=dispatch_id,
        concern_id=concern_id or uuid4(),
        round_=1,
        region_code="230302",
        department_code="jixi-education-bureau",
        payload='{"round":1}',
    )
    return dispatch_id


async def _dispatch(uow: VisitsUnitOfWork, platform: DisposalPlatform) -> int:
    return await dispatch_assignments(
        DispatchAssignments(limit=10), uow=uow, platform=platform, settings=SETTINGS
    )


async def test_a_due_assignment_is_sent_signed_under_its_round_key_and_marked_sent(
    fake: FakeVisitsUnitOfWork,
    uow: VisitsUnitOfWork,
    platform: DisposalPlatform,
    stub: PlatformStub,
) -> None:
    dispatch_id = await _queued(fake)
    assert await _dispatch(uow, platform) == 1
    [request] = stub.received
    concern_id = fake.dispatches.rows[dispatch_id].concern_id
    assert request.headers[IDEMPOTENCY_HEADER] == f"{concern_id}:1"
    assert request.headers[SIGNATURE_HEADER].startswith("sha256=")
    assert request.content == b'{"round":1}'
    assert fake.dispatches.rows[dispatch_id].status == "sent"
    assert await _dispatch(uow, platform) == 0, "a sent assignment is not sent again"


async def test_a_refused_assignment_waits_and_retries_until_its_attempts_are_used_up(
    fake: FakeVisitsUnitOfWork,
    uow: VisitsUnitOfWork,
    platform: DisposalPlatform,
    stub: PlatformStub,
) -> None:
    stub.status = 503
    dispatch_id = await _queued(fake)
    await _dispatch(uow, platform)
    waiting = fake.dispatches.rows[dispatch_id]
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "HTTP 503")
    assert (waiting.next_attempt_at - NOW).total_seconds() == 5
    fake.dispatches.now = waiting.next_attempt_at
    await _dispatch(uow, platform)
    assert fake.dispatches.rows[dispatch_id].status == "failed"
    assert len(stub.received) == 2


async def test_staff_replay_a_failed_dispatch_with_a_fresh_allowance(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    dispatch_id = await _queued(fake)
    await fake.dispatches.mark_failed(dispatch_id, error="HTTP 500", retry_in=None)
    replayed = await replay_dispatch(ReplayDispatch(dispatch_id), principal=staff(), uow=uow)
    assert (replayed.status, replayed.attempts) == ("pending", 0)
    assert fake.commits == 1


async def test_a_delivered_dispatch_is_not_replayed_and_others_may_not_replay(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    dispatch_id = await _queued(fake)
    await fake.dispatches.mark_sent(dispatch_id)
    cmd = ReplayDispatch(dispatch_id)
    with pytest.raises(Conflict):
        await replay_dispatch(cmd, principal=staff(), uow=uow)
    with pytest.raises(NotFound):
        await replay_dispatch(cmd, principal=staff("230100"), uow=uow)
    with pytest.raises(Forbidden):
        await replay_dispatch(cmd, principal=member_principal(fake.roster.add_member()), uow=uow)
    assert fake.commits == 0


def _assigned(fake: FakeVisitsUnitOfWork) -> Concern:
    member = fake.roster.add_member()
    concern = Concern(
        uuid4(),
        member.member_id,
        member.region_code,
        member.sector_code,
        "problem",
        "contact_record",
        "t",
        "b",
        uuid4(),
        None,
        "m",
        "member",
        False,
        NOW,
        Status.ASSIGNED,
        1,
        "jixi-education-bureau",
        TODAY,
    )
    fake.concerns.saved[concern.id] = concern
    fake.concerns.rounds[(concern.id, 1)] = RoundRow("jixi-education-bureau", TODAY)
    return concern


async def _reply(uow: VisitsUnitOfWork, cmd: RecordPlatformReply) -> bool:
    return await receive_platform_reply(cmd, uow=uow, clock=FixedClock(NOW), timezone=TIMEZONE)


async def test_a_platform_reply_applies_once_however_often_it_is_delivered(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    concern = _assigned(fake)
    cmd = RecordPlatformReply(concern.id, 1, "jixi-education-bureau", " 已办结 ")
    assert await _reply(uow, cmd)
    assert not await _reply(uow, cmd)
    kept = fake.concerns.rounds[(concern.id, 1)]
    assert (kept.reply, kept.replied_via) == ("已办结", "disposal_platform")
    assert fake.concerns.saved[concern.id].status is Status.REPLIED
    assert fake.concerns.history[concern.id][0].actor == "disposal-platform"
    assert fake.published_types() == [ev.ConcernRepliedV1.event_type_name]


async def test_a_reply_for_another_department_or_an_unknown_round_is_refused(
    fake: FakeVisitsUnitOfWork, uow: VisitsUnitOfWork
) -> None:
    concern = _assigned(fake)
    with pytest.raises(Conflict):
        await _reply(uow, RecordPlatformReply(concern.id, 1, "other-bureau", "x"))
    with pytest.raises(NotFound):
        await _reply(uow, RecordPlatformReply(concern.id, 2, "jixi-education-bureau", "x"))
    with pytest.raises(NotFound):
        await _reply(uow, RecordPlatformReply(uuid4(), 1, "jixi-education-bureau", "x"))
    assert (fake.commits, fake.published) == (0, [])
