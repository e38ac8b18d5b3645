"""Reporting's consumer groups: which topics, and the use case for each event type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from services.reporting.deidentify import Pseudonymizer
from services.reporting.events import CONCERN_EVENTS, OBLIGATION_EVENTS
from services.reporting.handlers import concerns, directory, member_counts, notifications, visits
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import members as m
from shared.contracts import topics
from shared.contracts.notifications import NotificationDeliveredV1
from shared.contracts.visits import VisitRecordedV1
from shared.runtime import ConsumerSpec

MEMBER_DIRECTORY_GROUP = "reporting.member-directory"
KPI_GROUP = "reporting.kpi"
KPI_TOPICS = (
    topics.MEMBERS_MEMBER.name,
    topics.MEMBERS_LIAISON.name,
    topics.VISITS_VISIT.name,
    topics.VISITS_OBLIGATION.name,
    topics.VISITS_CONCERN.name,
    topics.MEMBERS_WORKSTATION.name,
    topics.NOTIFICATIONS_NOTIFICATION.name,
)
_MEMBER_EVENTS = (m.MemberRegisteredV1, m.MemberUpdatedV1, m.MemberRetiredV1)
_LIAISON_EVENTS = (m.LiaisonLinkedV1, m.LiaisonUnlinkedV1)
_WORKSTATION_EVENTS = (m.WorkstationOpenedV1, m.WorkstationChangedV1, m.WorkstationClosedV1)

member_directory = ConsumerSpec(
    group=MEMBER_DIRECTORY_GROUP,
    topics=[topics.MEMBERS_MEMBER.name],
    handlers={},
    uow_factory=ReportingUnitOfWork,
    batch_handlers={m.MemberRegisteredV1: member_counts.count_registered_members},
)


def kpi_handlers() -> dict[type, Any]:
    """One event at a time: what the consumer replays with when a whole batch failed."""
    return {
        **dict.fromkeys(_MEMBER_EVENTS, directory.on_member_event),
        **dict.fromkeys(_LIAISON_EVENTS, directory.on_liaison_event),
        **dict.fromkeys(_WORKSTATION_EVENTS, directory.on_workstation_event),
        VisitRecordedV1: visits.on_visit_recorded,
        **dict.fromkeys(OBLIGATION_EVENTS, visits.on_obligation_event),
        **dict.fromkeys(CONCERN_EVENTS, concerns.on_concern_event),
        NotificationDeliveredV1: notifications.on_notification_delivered,
    }


def kpi_batch_handlers() -> dict[type, Any]:
    """Set-based forms: consecutive events sharing one of these are applied as one run."""
    return {
        **dict.fromkeys(_MEMBER_EVENTS, directory.apply_member_events),
        **dict.fromkeys(_LIAISON_EVENTS, directory.apply_liaison_events),
        **dict.fromkeys(_WORKSTATION_EVENTS, directory.apply_workstation_events),
        VisitRecordedV1: visits.record_visits,
        **dict.fromkeys(OBLIGATION_EVENTS, visits.apply_obligation_events),
        **dict.fromkeys(CONCERN_EVENTS, concerns.apply_concern_events),
        NotificationDeliveredV1: notifications.count_deliveries,
    }


def kpi_projections(pseudonymize: Pseudonymizer, *, group: str = KPI_GROUP) -> ConsumerSpec:
    """Every KPI projection, the dossiers and the data-platform feed: one group, one batch tx."""

    def uow_factory(pool: asyncpg.Pool) -> ReportingUnitOfWork:
        return ReportingUnitOfWork(pool, pseudonymize)

    factory: Callable[[asyncpg.Pool], ReportingUnitOfWork] = uow_factory
    return ConsumerSpec(
        group=group,
        topics=KPI_TOPICS,
        handlers=kpi_handlers(),
        uow_factory=factory,
        batch_handlers=kpi_batch_handlers(),
    )
