"""The in-memory unit of work every notifications use-case test runs against."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from services.notifications.handlers.notify import Notifier
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.kernel import FixedClock
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork

# 10:00 in Harbin: outside the default quiet hours (22:00-07:00).
NOW = datetime(2026, 9, 14, 2, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> FakeNotificationsUnitOfWork:
    return FakeNotificationsUnitOfWork()


@pytest.fixture
def uow(fake: FakeNotificationsUnitOfWork) -> NotificationsUnitOfWork:
    return cast(NotificationsUnitOfWork, fake)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def notifier(clock: FixedClock) -> Notifier:
    return Notifier(clock, timedelta(days=7))
