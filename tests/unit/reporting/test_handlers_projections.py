"""Runs of events into reporting's projections, the member's dossier and the data feed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast
from uuid import UUID, uuid4

import pytest

from services.reporting.deidentify import Pseudonymizer
from services.reporting.event_families import ConcernEvent
from services.reporting.handlers.concerns import apply_concern_events
from services.reporting.handlers.member_counts import count_registered_members
from services.reporting.handlers.notifications import count_deliveries
from services.reporting.handlers.visits import apply_obligation_events
from services.reporting.repository.concerns import ConcernChange
from services.reporting.repository.obligations import ObligationChange
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import members as m
from shared.contracts import visits as v
from shared.contracts.notifications import DeliveryChannel, NotificationDeliveredV1
from tests.unit.reporting.fakes import FakeReportingUnitOfWork

AT = datetime(2026, 9, 14, 17, 0, tzinfo=UTC)  # already the 15th in Beijing time
REGION = "230302"


@pytest.fixture
def fake() -> FakeReportingUnitOfWork:
    return FakeReportingUnitOfWork(Pseudonymizer(b"k" * 32))


@pytest.fixture
def uow(fake: FakeReportingUnitOfWork) -> ReportingUnitOfWork:
    return cast(ReportingUnitOfWork, fake)


def registered(region: str, sector: str) -> m.MemberRegisteredV1:
    return m.MemberRegisteredV1(
        occurred_at=AT,
        region_code=region,
        member_id=uuid4(),
        full_name="王委员",
        sector_code=sector,
        committee_code="cppcc-230300",
    )


def delivered(
    notification_id: UUID, member_id: UUID | None, channel: DeliveryChannel
) -> NotificationDeliveredV1:
    return NotificationDeliveredV1(
        occurred_at=AT,
        region_code=REGION,
        notification_id=notification_id,
        delivery_id=uuid4(),
        recipient_key=f"member:{member_id}" if member_id else "office:230300",
        member_id=member_id,
        channel=channel,
        kind="obligation_opened",
        source_event_id=uuid4(),
        attempts=1,
    )


def obligation(cls: Any, obligation_id: UUID, member_id: UUID, **facts: Any) -> Any:
    return cls(
        occurred_at=AT,
        region_code=REGION,
        obligation_id=obligation_id,
        member_id=member_id,
        occasion_kind="policy_issued",
        sector_code="education",
        due_on=date(2026, 9, 20),
        **facts,
    )


async def test_a_run_of_registrations_counts_each_region_and_sector_with_one_write(
    fake: FakeReportingUnitOfWork, uow: ReportingUnitOfWork
) -> None:
    run = [registered(REGION, "education"), registered(REGION, "education")]
    run.append(registered("230102", "economy"))

    await count_registered_members(run, uow)

    assert fake.member_counts.members == {(REGION, "education"): 2, ("230102", "economy"): 1}
    assert fake.member_counts.writes == 2


async def test_a_notification_reaching_a_member_on_several_channels_counts_once_on_the_local_day(
    fake: FakeReportingUnitOfWork, uow: ReportingUnitOfWork
) -> None:
    notification, member = uuid4(), uuid4()
    run = [delivered(notification, member, "in_app"), delivered(notification, member, "sms")]

    await count_deliveries([*run, delivered(uuid4(), None, "in_app")], uow)

    assert fake.notifications.rows == {(notification, member, REGION, date(2026, 9, 15))}


async def test_an_obligations_run_is_merged_into_one_change_and_each_event_dated_in_the_dossier(
    fake: FakeReportingUnitOfWork, uow: ReportingUnitOfWork
) -> None:
    obligation_id, member = uuid4(), uuid4()
    opened = obligation(v.ObligationOpenedV1, obligation_id, member, source_id=uuid4(), title="t")
    fulfilled = obligation(
        v.ObligationFulfilledV1,
        obligation_id,
        member,
        visit_id=uuid4(),
        fulfilled_on=date(2026, 9, 15),
        on_time=True,
    )

    await apply_obligation_events([opened, fulfilled], uow)

    ((change,),) = fake.obligations.calls
    assert isinstance(change, ObligationChange)
    assert (change.opened, change.fulfilled_on, change.fulfilled_on_time) == (
        True,
        date(2026, 9, 15),
        True,
    )
    assert [x.event_id for x in fake.timeline.entries] == [opened.event_id, fulfilled.event_id]


async def test_the_data_platform_gets_facts_without_the_members_id(
    fake: FakeReportingUnitOfWork, uow: ReportingUnitOfWork
) -> None:
    member = uuid4()
    opened = obligation(v.ObligationOpenedV1, uuid4(), member, source_id=uuid4(), title="t")

    async with uow:  # as the consumer runs a batch: the facts leave only if it commits
        await apply_obligation_events([opened], uow)
        await uow.commit()

    (fact,) = fake.feed.facts
    assert fake.published == [fact]
    assert str(member) not in fact.model_dump_json()


async def test_a_rebuild_writes_the_projections_but_publishes_nothing(
    fake: FakeReportingUnitOfWork, uow: ReportingUnitOfWork
) -> None:
    fake.publishes = False
    opened = obligation(v.ObligationOpenedV1, uuid4(), uuid4(), source_id=uuid4(), title="t")

    await apply_obligation_events([opened], uow)

    assert len(fake.obligations.calls) == 1
    assert fake.feed.facts == []


async def test_a_concerns_run_keeps_the_latest_round_and_moves_flags_forward(
    fake: FakeReportingUnitOfWork, uow: ReportingUnitOfWork
) -> None:
    concern_id, member = uuid4(), uuid4()
    common: dict[str, Any] = {
        "occurred_at": AT,
        "region_code": REGION,
        "concern_id": concern_id,
        "member_id": member,
        "sector_code": "education",
    }
    run: list[ConcernEvent] = [
        v.ConcernSubmittedV1(**common, kind="problem", source="online"),
        v.ConcernAssignedV1(**common, department_code="d", due_on=date(2026, 10, 1), round=1),
        v.ConcernReopenedV1(**common),
        v.ConcernAssignedV1(**common, department_code="d", due_on=date(2026, 11, 1), round=2),
    ]

    await apply_concern_events(run, uow)

    ((change,),) = fake.concerns.calls
    assert isinstance(change, ConcernChange)
    assert (change.submitted_on, change.kind) == (date(2026, 9, 15), "problem")
    assert (change.assigned_round, change.reopened) == (2, 1)
