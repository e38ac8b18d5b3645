"""Notifications' consumer groups: the recipient read model, and the reactions.

Each use case takes one event; a group reads the topics its event types are published on.
"""

from __future__ import annotations

from services.notifications.handlers import reactions as h
from services.notifications.handlers.notify import Notifier
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.contracts.members import MemberRegisteredV1, MemberRetiredV1, MemberUpdatedV1
from shared.messaging.handlers import each
from shared.runtime import ConsumerSpec

recipients = ConsumerSpec(
    group="notifications.recipients",
    handlers=[
        each(MemberRegisteredV1, h.remember_recipient),
        each(MemberUpdatedV1, h.remember_recipient),
        each(MemberRetiredV1, h.retire_recipient),
    ],
    uow_factory=NotificationsUnitOfWork,
)

REACTIONS_GROUP = "notifications.reactions"


def reactions(notifier: Notifier) -> ConsumerSpec[NotificationsUnitOfWork]:
    return ConsumerSpec(
        group=REACTIONS_GROUP,
        handlers=h.reaction_handlers(notifier),
        uow_factory=NotificationsUnitOfWork,
    )
