"""The events notifications publishes, built from its rows: a delivery that went out or gave up."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from services.notifications.repository.deliveries import DueDelivery
from services.notifications.repository.notifications import NewDelivery, NewNotification
from shared.contracts.notifications import NotificationDeliveredV1, NotificationFailedV1

E = TypeVar("E", NotificationDeliveredV1, NotificationFailedV1)


def delivered(
    item: NewNotification, delivery: NewDelivery, at: datetime, *, attempts: int
) -> NotificationDeliveredV1:
    """An inbox item is delivered the moment it is written."""
    return NotificationDeliveredV1(
        occurred_at=at,
        region_code=item.region_code,
        notification_id=item.id,
        delivery_id=delivery.id,
        recipient_key=item.recipient_key,
        member_id=item.member_id,
        channel=delivery.channel,  # type: ignore[arg-type]
        kind=item.kind,
        source_event_id=item.source_event_id,
        attempts=attempts,
    )


def sent(d: DueDelivery, at: datetime, attempts: int) -> NotificationDeliveredV1:
    return _outcome(NotificationDeliveredV1, d, at, attempts)


def failed(d: DueDelivery, at: datetime, attempts: int, error: str) -> NotificationFailedV1:
    """Given up for good; only the error's class travels (it never carries personal data)."""
    return _outcome(NotificationFailedV1, d, at, attempts, error_class=error[:100])


def _outcome(cls: type[E], d: DueDelivery, at: datetime, attempts: int, **extra: Any) -> E:
    return cls(
        occurred_at=at,
        region_code=d.region_code,
        notification_id=d.notification_id,
        delivery_id=d.id,
        recipient_key=d.recipient_key,
        member_id=d.member_id,
        channel=d.channel,  # type: ignore[arg-type]
        kind=d.kind,
        source_event_id=d.source_event_id,
        attempts=attempts,
        **extra,
    )
