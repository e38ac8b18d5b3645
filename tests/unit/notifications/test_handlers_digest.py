"""The daily digest pass: one e-mail a day summarising a subscriber's low-priority items."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from services.notifications.adapters import DeliveryError
from services.notifications.domain.delivery import Preference
from services.notifications.handlers.digest import DigestWorker
from services.notifications.settings import NotificationsSettings
from services.notifications.templates import Message
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.kernel import FixedClock
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork
from tests.unit.notifications.support import inbox_item

KEY = "member:6a0c6f0e-0000-4000-8000-000000000002"
EARLY = datetime(2026, 9, 13, 23, 0, tzinfo=UTC)  # 07:00 in Harbin, before the digest hour
LATER = datetime(2026, 9, 14, 0, 30, tzinfo=UTC)  # 08:30


class FakeMailer:
    def __init__(self) -> None:
        self.mails: list[tuple[str, Message]] = []
        self.failing = False

    async def send(self, delivery_id: UUID, address: str, message: Message) -> None:
        if self.failing:
            raise DeliveryError("smtp: ConnectionRefusedError")
        self.mails.append((address, message))


@pytest.fixture
def mailer() -> FakeMailer:
    return FakeMailer()


def digests(uow: NotificationsUnitOfWork, at: datetime, mailer: FakeMailer) -> DigestWorker:
    settings = NotificationsSettings(digest_hour=8, delivery_max_attempts=2)
    return DigestWorker(lambda: uow, FixedClock(at), settings, mailer)


def subscribe(fake: FakeNotificationsUnitOfWork, email: str | None = "wang@example.cn") -> None:
    fake.preferences.rows[KEY] = Preference(
        frozenset({"in_app", "email"}), email=email, digest=True
    )


async def test_nothing_is_opened_before_the_digest_hour(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, mailer: FakeMailer
) -> None:
    subscribe(fake)
    await inbox_item(fake, KEY, EARLY, priority="low")

    assert await digests(uow, EARLY, mailer).run_once() == 0

    assert fake.digests.rows == {}
    assert mailer.mails == []


async def test_after_the_hour_a_subscriber_gets_one_email_listing_their_low_priority_items(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, mailer: FakeMailer
) -> None:
    subscribe(fake)
    await inbox_item(fake, KEY, EARLY, priority="low")
    await inbox_item(fake, KEY, EARLY, priority="low")
    await inbox_item(fake, KEY, EARLY, priority="normal")  # had its own messages
    worker = digests(uow, LATER, mailer)

    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # one a day

    ((address, message),) = mailer.mails
    assert address == "wang@example.cn"
    assert message.title == "【每日摘要】2026-09-14 共 2 条消息"
    (digest,) = fake.digests.rows.values()
    assert (digest.day, digest.status) == (date(2026, 9, 14), "sent")


async def test_a_failing_mail_server_is_tried_again_then_the_digest_given_up(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, mailer: FakeMailer
) -> None:
    subscribe(fake)
    await inbox_item(fake, KEY, EARLY, priority="low")
    mailer.failing = True
    worker = digests(uow, LATER, mailer)

    await worker.run_once()
    (digest,) = fake.digests.rows.values()
    assert (digest.status, digest.attempts) == ("pending", 1)
    await worker.run_once()

    assert (digest.status, digest.attempts) == ("failed", 2)
    assert digest.last_error == "smtp: ConnectionRefusedError"


async def test_a_digest_whose_address_was_removed_fails_without_sending(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, mailer: FakeMailer
) -> None:
    subscribe(fake)
    await inbox_item(fake, KEY, EARLY, priority="low")
    worker = digests(uow, LATER, mailer)
    async with uow:
        await uow.digests.open_day(date(2026, 9, 14), LATER)
    subscribe(fake, email=None)

    await worker.run_once()

    (digest,) = fake.digests.rows.values()
    assert (digest.status, digest.last_error) == ("failed", "no address")
    assert mailer.mails == []
