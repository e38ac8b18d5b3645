"""Staff sending a delivery that failed for good round again, within their own region."""

from __future__ import annotations

import pytest

from services.notifications.handlers.retry import RetryDelivery, retry_delivery
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import Role
from shared.errors import Forbidden, NotFound
from shared.kernel import FixedClock
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork
from tests.unit.notifications.support import inbox_item, member, staff


async def test_a_failed_delivery_in_the_city_goes_round_again_from_the_first_attempt(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    _, delivery = await inbox_item(fake, "member:x", clock.now(), channel="sms", status="failed")
    assert delivery is not None
    fake.notifications.deliveries[delivery.id].attempts = 6

    await retry_delivery(RetryDelivery(delivery.id), principal=staff(), uow=uow, clock=clock)

    row = fake.notifications.deliveries[delivery.id]
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, clock.now())
    assert fake.committed


async def test_another_citys_delivery_answers_as_missing_and_nothing_is_committed(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    _, delivery = await inbox_item(
        fake, "member:x", clock.now(), region="230102", channel="sms", status="failed"
    )
    assert delivery is not None

    with pytest.raises(NotFound):
        await retry_delivery(RetryDelivery(delivery.id), principal=staff(), uow=uow, clock=clock)

    assert fake.notifications.deliveries[delivery.id].status == "failed"
    assert not fake.committed


async def test_a_delivery_still_pending_is_not_retried(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    _, delivery = await inbox_item(fake, "member:x", clock.now(), channel="email")
    assert delivery is not None

    with pytest.raises(NotFound):
        await retry_delivery(
            RetryDelivery(delivery.id),
            principal=staff(Role.PROVINCE_ADMIN, "230000"),
            uow=uow,
            clock=clock,
        )


async def test_members_may_not_retry_deliveries(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    _, delivery = await inbox_item(fake, "member:x", clock.now(), channel="sms", status="failed")
    assert delivery is not None

    with pytest.raises(Forbidden):
        await retry_delivery(RetryDelivery(delivery.id), principal=member(), uow=uow, clock=clock)

    assert fake.notifications.deliveries[delivery.id].status == "failed"
    assert not fake.committed
