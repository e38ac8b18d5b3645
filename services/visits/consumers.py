"""Visits' consumer groups."""

from __future__ import annotations

from services.visits import handlers
from services.visits.unit_of_work import VisitsUnitOfWork
from shared.contracts import topics
from shared.contracts.members import MemberRegisteredV1
from shared.runtime import ConsumerSpec

member_roster = ConsumerSpec(
    group="visits.member-roster",
    topics=[topics.MEMBERS_MEMBER.name],
    handlers={MemberRegisteredV1: handlers.add_member_to_roster},
    uow_factory=VisitsUnitOfWork,
)
