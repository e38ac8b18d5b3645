"""Notifications' consumer groups."""

from __future__ import annotations

from services.notifications import handlers
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.contracts import topics
from shared.contracts.members import MemberRegisteredV1
from shared.runtime import ConsumerSpec

recipients = ConsumerSpec(
    group="notifications.recipients",
    topics=[topics.MEMBERS_MEMBER.name],
    handlers={MemberRegisteredV1: handlers.remember_recipient},
    uow_factory=NotificationsUnitOfWork,
)
