"""Notifications' consumer groups: the recipient read model, and the reactions."""

from __future__ import annotations

from services.notifications.handlers import reactions as h
from services.notifications.handlers.notify import Notifier
from services.notifications.unit_of_work import NotificationsUnitOfWork
from shared.contracts import topics
from shared.contracts.members import MemberRegisteredV1, MemberRetiredV1, MemberUpdatedV1
from shared.runtime import ConsumerSpec

recipients = ConsumerSpec(
    group="notifications.recipients",
    topics=[topics.MEMBERS_MEMBER.name],
    handlers={
        MemberRegisteredV1: h.remember_recipient,
        MemberUpdatedV1: h.remember_recipient,
        MemberRetiredV1: h.retire_recipient,
    },
    uow_factory=NotificationsUnitOfWork,
)

REACTIONS_GROUP = "notifications.reactions"


def reactions(notifier: Notifier) -> ConsumerSpec:
    return ConsumerSpec(
        group=REACTIONS_GROUP,
        topics=[
            topics.VISITS_OBLIGATION.name,
            topics.VISITS_CONCERN.name,
            topics.MEMBERS_POLICY.name,
            topics.MEMBERS_LIAISON.name,
            topics.MEMBERS_MEMBER.name,
        ],
        handlers=h.reaction_handlers(notifier),
        uow_factory=NotificationsUnitOfWork,
    )
