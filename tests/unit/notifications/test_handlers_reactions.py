"""Who hears of what, on which channel, as the reactions and recipients groups apply events."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from services.notifications.consumers import reactions, recipients
from services.notifications.domain.delivery import Preference
from services.notifications.handlers.notify import Notifier
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.contracts.base import IntegrationEvent
from shared.contracts.notifications import NotificationDeliveredV1
from tests.unit.notifications import events as e
from tests.unit.notifications.fakes import FakeNotificationsUnitOfWork


async def apply(
    notifier: Notifier, uow: NotificationsUnitOfWork, *events: IntegrationEvent
) -> None:
    """As the consumer does: each event through its group's handler, one transaction each."""
    for event in events:
        for spec in (recipients, reactions(notifier)):
            handler = spec.handler_map.get(type(event))
            if handler is not None:
                async with uow:
                    await handler([event], uow)
                    await uow.commit()


def delivered(fake: FakeNotificationsUnitOfWork) -> list[NotificationDeliveredV1]:
    return [x for x in fake.published if isinstance(x, NotificationDeliveredV1)]


def kinds(fake: FakeNotificationsUnitOfWork, key: str) -> list[str]:
    return [n.kind for n in fake.notifications.of(key)]


async def test_an_opened_obligation_lands_in_the_members_inbox_at_once(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member_id = uuid4()
    opened = e.obligation_opened(member_id)

    await apply(notifier, uow, opened)

    key = f"member:{member_id}"
    (item,) = fake.notifications.of(key)
    assert (item.kind, item.member_id, item.priority) == ("obligation_opened", member_id, "normal")
    assert "教师队伍建设意见" in item.title + item.body
    assert fake.notifications.channels_of(key) == {"in_app": "sent"}
    assert len(fake.published) == 1
    assert [(x.channel, x.recipient_key) for x in delivered(fake)] == [("in_app", key)]
    assert opened.obligation_id in fake.watch.rows


async def test_an_outside_channel_waits_for_the_delivery_loop_if_switched_on_with_an_address(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member_id = uuid4()
    key = f"member:{member_id}"
    fake.preferences.rows[key] = Preference(
        frozenset({"in_app", "email", "sms"}), email="wang@example.cn"
    )

    await apply(notifier, uow, e.obligation_opened(member_id))

    # SMS is on but no phone is known: it is not queued.
    assert fake.notifications.channels_of(key) == {"in_app": "sent", "email": "pending"}
    # Only the inbox is delivered yet; the e-mail's event comes when it is sent.
    assert [(x.channel, x.recipient_key) for x in delivered(fake)] == [("in_app", key)]


async def test_an_event_applied_twice_notifies_once(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member_id = uuid4()
    opened = e.obligation_opened(member_id)

    await apply(notifier, uow, opened, opened)

    assert kinds(fake, f"member:{member_id}") == ["obligation_opened"]
    assert len(fake.notifications.deliveries) == 1


async def test_history_older_than_a_week_is_applied_but_not_announced(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member_id = uuid4()
    old = e.obligation_opened(member_id, occurred_at=e.AT - timedelta(days=8))

    await apply(notifier, uow, old)

    assert fake.notifications.items == {}
    assert old.obligation_id in fake.watch.rows


async def test_an_overdue_obligation_tells_the_member(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member_id = uuid4()

    await apply(notifier, uow, e.obligation_overdue(member_id))

    assert kinds(fake, f"member:{member_id}") == ["obligation_overdue"]


async def test_an_escalation_reaches_the_office_naming_the_member(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member = e.registered(full_name="钱委员")

    await apply(notifier, uow, member, e.obligation_escalated(member.member_id, 2, "230300"))

    (item,) = fake.notifications.of("office:230300")
    assert item.kind == "obligation_escalated"
    assert "钱委员" in item.title + item.body
    assert fake.notifications.of(f"member:{member.member_id}") == []


async def test_a_policy_reaches_the_active_members_of_its_sectors_in_its_regions(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    reader = e.registered()
    gone = e.registered()
    other_sector = e.registered(sector_code="economy")
    other_city = e.registered(region_code="230102")
    members = (reader, gone, other_sector, other_city)

    await apply(notifier, uow, *members, e.retired(gone.member_id), e.policy_issued())

    told = {i.new.recipient_key for i in fake.notifications.items.values()}
    assert told == {f"member:{reader.member_id}"}
    assert fake.recipients.rows[gone.member_id].status == "retired"


async def test_a_digest_subscriber_gets_a_policy_in_the_inbox_only(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member = e.registered()
    key = f"member:{member.member_id}"
    fake.preferences.rows[key] = Preference(
        frozenset({"in_app", "email"}), email="wang@example.cn", digest=True
    )

    await apply(notifier, uow, member, e.policy_issued())

    (item,) = fake.notifications.of(key)
    assert item.priority == "low"
    assert fake.notifications.channels_of(key) == {"in_app": "sent"}


async def test_a_liaisons_hardship_is_urgent_and_a_life_change_waits_for_the_obligation(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member_id = uuid4()

    await apply(
        notifier,
        uow,
        e.circumstance(member_id, "hardship"),
        e.circumstance(member_id, "life_change"),
    )

    (item,) = fake.notifications.of(f"member:{member_id}")
    assert (item.kind, item.priority) == ("liaison_hardship", "urgent")


async def test_a_concern_goes_to_its_department_then_its_reply_to_the_member_and_submitter(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    concern_id, member_id = uuid4(), uuid4()

    await apply(
        notifier,
        uow,
        e.concern_submitted(concern_id, member_id, submitted_by="citizen-7"),
        e.concern_assigned(concern_id, member_id, "jx-edu"),
        e.concern_replied(concern_id, member_id, "jx-edu"),
        e.concern_reopened(concern_id, member_id),
    )

    assert kinds(fake, "department:jx-edu") == ["concern_assigned", "concern_reopened"]
    assert kinds(fake, f"member:{member_id}") == ["concern_replied", "concern_reopened"]
    assert kinds(fake, "constituent:citizen-7") == ["concern_rate_request"]


async def test_nothing_more_goes_out_to_a_member_who_retired(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member = e.registered()
    key = f"member:{member.member_id}"
    fake.preferences.rows[key] = Preference(frozenset({"in_app", "sms"}), phone="+8613800000000")
    await apply(notifier, uow, member, e.obligation_opened(member.member_id))

    await apply(notifier, uow, e.retired(member.member_id))

    assert fake.notifications.channels_of(key) == {"in_app": "sent", "sms": "cancelled"}
    assert kinds(fake, key) == ["obligation_opened"]  # the inbox keeps what it has


async def test_a_fulfilled_obligation_is_no_longer_watched_for_reminders(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    opened = e.obligation_opened(uuid4())

    await apply(notifier, uow, opened, e.obligation_fulfilled(opened))

    assert fake.watch.rows[opened.obligation_id].owed is False


async def test_the_recipient_read_model_follows_the_member_events(
    fake: FakeNotificationsUnitOfWork, uow: NotificationsUnitOfWork, notifier: Notifier
) -> None:
    member = e.registered(full_name="赵委员")

    await apply(notifier, uow, member)

    assert await fake.recipients.name_of(member.member_id) == "赵委员"
    assert await fake.recipients.audience(("education",), ("230300",)) == [
        (member.member_id, "230302")
    ]
