"""Marking an inbox item read: only one's own, once, and nothing written when refused."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from services.notifications.handlers.inbox import MarkRead, mark_read
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.auth import Principal, Role
from shared.errors import Forbidden, NotFound
from shared.kernel import FixedClock
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork
from tests.unit.notifications.support import inbox_item, member


async def test_a_member_marks_their_own_item_read_and_it_stays_read_from_the_first_time(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    me = member()
    item, _ = await inbox_item(fake, f"member:{me.member_id}", clock.now())
    first = clock.now()

    await mark_read(MarkRead(item.id), principal=me, uow=uow, clock=clock)
    clock.advance(timedelta(hours=1))
    await mark_read(MarkRead(item.id), principal=me, uow=uow, clock=clock)

    assert fake.notifications.items[item.id].read_at == first
    assert fake.commits == 2


async def test_someone_elses_item_answers_as_missing_and_nothing_is_committed(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    item, _ = await inbox_item(fake, f"member:{uuid4()}", clock.now())

    with pytest.raises(NotFound):
        await mark_read(MarkRead(item.id), principal=member(), uow=uow, clock=clock)

    assert fake.notifications.items[item.id].read_at is None
    assert not fake.committed


async def test_a_role_without_an_inbox_is_refused(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    auditor = Principal("audit-1", Role.AUDITOR, "230000")

    with pytest.raises(Forbidden):
        await mark_read(MarkRead(uuid4()), principal=auditor, uow=uow, clock=clock)

    assert not fake.committed


async def test_a_department_reads_the_inbox_named_by_its_token_subject(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, clock: FixedClock
) -> None:
    item, _ = await inbox_item(fake, "department:jx-edu", clock.now())
    department = Principal("jx-edu", Role.DEPARTMENT, "230302")

    await mark_read(MarkRead(item.id), principal=department, uow=uow, clock=clock)

    assert fake.notifications.items[item.id].read_at == clock.now()
