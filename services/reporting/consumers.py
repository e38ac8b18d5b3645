"""Reporting's consumer groups: which topics, and the use case for each event type."""

from __future__ import annotations

from services.reporting import handlers
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import topics
from shared.contracts.members import MemberRegisteredV1
from shared.runtime import ConsumerSpec

MEMBER_DIRECTORY_GROUP = "reporting.member-directory"

member_directory = ConsumerSpec(
    group=MEMBER_DIRECTORY_GROUP,
    topics=[topics.MEMBERS_MEMBER.name],
    handlers={MemberRegisteredV1: handlers.count_registered_member},
    uow_factory=ReportingUnitOfWork,
)
