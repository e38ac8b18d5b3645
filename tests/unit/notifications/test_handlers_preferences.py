"""Replacing one's own delivery preferences."""

from __future__ import annotations

from datetime import time

import pytest

from services.notifications.handlers.preferences import UpdatePreferences, update_preferences
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import Principal, Role
from shared.errors import Forbidden
from shared.kernel import FixedClock
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork
from tests.unit.notifications.support import member


async def test_the_inbox_stays_on_whatever_channels_are_chosen(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    me = member()
    cmd = UpdatePreferences(
        channels=frozenset({"email"}),
        email="wang@example.cn",
        quiet_start=time(21),
        quiet_end=time(8),
        digest=True,
    )

    saved = await update_preferences(cmd, principal=me, uow=uow, clock=clock)

    stored = fake.preferences.rows[f"member:{me.member_id}"]
    assert stored == saved
    assert stored.channels == {"in_app", "email"}
    assert (stored.email, stored.quiet_start, stored.digest) == ("wang@example.cn", time(21), True)
    assert fake.committed


async def test_preferences_replace_the_earlier_ones_whole(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    me = member()
    first = UpdatePreferences(channels=frozenset({"sms"}), phone="+8613800000000")
    await update_preferences(first, principal=me, uow=uow, clock=clock)

    await update_preferences(
        UpdatePreferences(channels=frozenset()), principal=me, uow=uow, clock=clock
    )

    stored = fake.preferences.rows[f"member:{me.member_id}"]
    assert stored.channels == {"in_app"}
    assert stored.phone is None


async def test_the_data_platform_has_no_preferences_to_set(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    platform = Principal("dp", Role.DATA_PLATFORM, "230000")

    with pytest.raises(Forbidden):
        await update_preferences(
            UpdatePreferences(channels=frozenset()), principal=platform, uow=uow, clock=clock
        )

    assert fake.preferences.rows == {}
    assert not fake.committed
