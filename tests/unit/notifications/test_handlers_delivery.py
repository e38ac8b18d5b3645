"""One pass of the delivery loop: who gets which message on which channel, and when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from services.notifications.adapters import DeliveryError, TokenBucket
from services.notifications.domain.delivery import Preference
from services.notifications.handlers.delivery import DeliveryWorker, Outbound
from services.notifications.settings import NotificationsSettings
from services.notifications.templates import Message
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.contracts.notifications import NotificationDeliveredV1, NotificationFailedV1
from shared.kernel import FixedClock
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork
from tests.unit.notifications.support import inbox_item

KEY = "member:6a0c6f0e-0000-4000-8000-000000000001"


class FakeSender:
    """Records what went out; fails while `failing` is set, as a gateway that is down."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failing = False

    async def send(self, delivery_id: UUID, address: str, message: Message) -> None:
        if self.failing:
            raise DeliveryError("gateway: HTTP 503")
        self.sent.append((address, message.title))


@pytest.fixture
def sender() -> FakeSender:
    return FakeSender()


@pytest.fixture
def worker(uow: NotificationsUnitOfWork, clock: FixedClock, sender: FakeSender) -> DeliveryWorker:
    settings = NotificationsSettings(delivery_max_attempts=2)
    outbound = {c: Outbound(sender, TokenBucket(1000, 100)) for c in ("email", "sms")}
    return DeliveryWorker(lambda: uow, clock, settings, outbound)


def prefer(
    fake: FakeNotificationsUnitOfWork, *, email: str | None = None, phone: str | None = None
) -> None:
    channels = frozenset({"in_app", "email", "sms"})
    fake.preferences.rows[KEY] = Preference(channels, email=email, phone=phone)


async def test_a_due_email_is_sent_to_the_recipients_address_and_reported_delivered(
    fake: FakeNotificationsUnitOfWork, worker: DeliveryWorker, sender: FakeSender, clock: FixedClock
) -> None:
    prefer(fake, email="wang@example.cn")
    _, delivery = await inbox_item(fake, KEY, clock.now(), channel="email")
    assert delivery is not None

    assert await worker.run_once("email") == 1

    assert sender.sent == [("wang@example.cn", "标题")]
    assert fake.notifications.deliveries[delivery.id].status == "sent"
    (event,) = fake.published
    assert isinstance(event, NotificationDeliveredV1)
    assert (event.channel, event.attempts) == ("email", 1)


async def test_quiet_hours_hold_a_normal_message_until_seven_in_the_morning(
    fake: FakeNotificationsUnitOfWork, worker: DeliveryWorker, sender: FakeSender, clock: FixedClock
) -> None:
    night = FixedClock(datetime(2026, 9, 14, 15, 30, tzinfo=UTC))  # 23:30 in Harbin
    worker.clock = night
    prefer(fake, phone="+8613800000000")
    _, delivery = await inbox_item(fake, KEY, night.now(), channel="sms")
    assert delivery is not None

    assert await worker.run_once("sms") == 0

    assert sender.sent == []
    row = fake.notifications.deliveries[delivery.id]
    assert (row.status, row.next_attempt_at) == ("pending", datetime(2026, 9, 14, 23, tzinfo=UTC))


async def test_an_urgent_message_goes_out_in_quiet_hours(
    fake: FakeNotificationsUnitOfWork, worker: DeliveryWorker, sender: FakeSender
) -> None:
    night = FixedClock(datetime(2026, 9, 14, 15, 30, tzinfo=UTC))
    worker.clock = night
    prefer(fake, phone="+8613800000000")
    await inbox_item(fake, KEY, night.now(), channel="sms", priority="urgent")

    assert await worker.run_once("sms") == 1

    assert sender.sent == [("+8613800000000", "标题")]


async def test_a_channel_switched_off_since_it_was_queued_is_cancelled_unsent(
    fake: FakeNotificationsUnitOfWork, worker: DeliveryWorker, sender: FakeSender, clock: FixedClock
) -> None:
    _, delivery = await inbox_item(fake, KEY, clock.now(), channel="email")
    assert delivery is not None
    fake.preferences.rows[KEY] = Preference(frozenset({"in_app"}), email="wang@example.cn")

    await worker.run_once("email")

    assert sender.sent == []
    assert fake.notifications.deliveries[delivery.id].status == "cancelled"


async def test_a_failing_gateway_is_retried_with_backoff_then_given_up_and_reported(
    fake: FakeNotificationsUnitOfWork, worker: DeliveryWorker, sender: FakeSender, clock: FixedClock
) -> None:
    prefer(fake, phone="+8613800000000")
    _, delivery = await inbox_item(fake, KEY, clock.now(), channel="sms")
    assert delivery is not None
    sender.failing = True

    await worker.run_once("sms")
    row = fake.notifications.deliveries[delivery.id]
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "gateway: HTTP 503")
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)
    assert fake.published == []

    clock.advance(timedelta(seconds=30))
    await worker.run_once("sms")

    assert (row.status, row.attempts) == ("failed", 2)
    (event,) = fake.published
    assert isinstance(event, NotificationFailedV1)
    assert (event.channel, event.attempts) == ("sms", 2)
