"""Turning reactions into notifications: one per (event, recipient), one delivery per channel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from services.notifications.domain.delivery import Preference, channels_for
from services.notifications.domain.kinds import KINDS
from services.notifications.domain.reactions import Reaction
from services.notifications.domain.recipients import member_key, member_of
from services.notifications.events import delivered
from services.notifications.repository.notifications import NewDelivery, NewNotification
from services.notifications.templates import render
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.kernel import Clock, new_id
from shared.logging import get_logger

log = get_logger(__name__)


class Announced(Protocol):
    """What a notification stems from: an integration event, or a reminder falling due."""

    @property
    def event_id(self) -> UUID: ...

    @property
    def occurred_at(self) -> datetime: ...

    @property
    def event_type_name(self) -> str: ...


@dataclass(frozen=True)
class Notifier:
    clock: Clock
    # A new consumer group reads topics from the start: history is applied, not announced.
    max_event_age: timedelta

    async def notify(
        self, event: Announced, reactions: list[Reaction], uow: NotificationsUnitOfWork
    ) -> None:
        now = self.clock.now()
        if now - event.occurred_at > self.max_event_age:
            log.info("event too old to announce", event_type=event.event_type_name)
            return
        for reaction in reactions:
            await self._one(event, reaction, uow, now)

    async def _one(
        self, event: Announced, r: Reaction, uow: NotificationsUnitOfWork, now: datetime
    ) -> None:
        targets = await _targets(r, uow)
        message = render(r.kind, r.variables)
        priority = KINDS[r.kind].priority
        items = [
            NewNotification(
                new_id(),
                event.event_id,
                key,
                member_of(key),
                region,
                r.kind,
                priority,
                message.title,
                message.body,
                now,
            )
            for key, region in targets
        ]
        created = await uow.notifications.add_many(items)
        fresh = [i for i in items if i.id in created]
        prefs = await uow.preferences.get_many([i.recipient_key for i in fresh])
        deliveries: list[NewDelivery] = []
        for item in fresh:
            for channel in _channels(prefs.get(item.recipient_key), priority):
                status = "sent" if channel == "in_app" else "pending"
                delivery = NewDelivery(new_id(), item.id, channel, status, now)
                deliveries.append(delivery)
                if channel == "in_app":
                    uow.record(delivered(item, delivery, now, attempts=1))
        await uow.notifications.add_deliveries(deliveries, now)
        log.info("notified", kind=r.kind, recipients=len(fresh), deliveries=len(deliveries))


async def _targets(r: Reaction, uow: NotificationsUnitOfWork) -> list[tuple[str, str]]:
    """(recipient key, region) pairs: named ones, or a policy's sector audience."""
    if r.audience is None:
        return [(key, r.region_code) for key in r.recipients]
    members = await uow.recipients.audience(r.audience.sector_codes, r.audience.region_codes)
    return [(member_key(member_id), region) for member_id, region in members]


def _channels(preference: Preference | None, priority: str) -> list[str]:
    """Digest subscribers get low-priority kinds in the inbox now and in the daily digest e-mail
    (handlers/digest.py), not one message each."""
    chosen: list[str] = list(channels_for(preference))
    if preference is not None and preference.digest and priority == "low":
        return ["in_app"]
    return chosen
