"""Reporting's consumer groups: which topics, and the use case for each event type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from services.reporting.deidentify import Pseudonymizer
from services.reporting.events import CONCERN_EVENTS, OBLIGATION_EVENTS
from services.reporting.handlers import directory, member_counts
from services.reporting.handlers.concerns import on_concern_event
from services.reporting.handlers.visits import on_obligation_event, on_visit_recorded
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import members as m
from shared.contracts import topics
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
)

member_directory = ConsumerSpec(
    group=MEMBER_DIRECTORY_GROUP,
    topics=[topics.MEMBERS_MEMBER.name],
    handlers={},
    uow_factory=ReportingUnitOfWork,
    batch_handlers={m.MemberRegisteredV1: member_counts.count_registered_members},
)


def kpi_handlers() -> dict[type, Any]:
    return {
        m.MemberRegisteredV1: directory.on_member_registered,
        m.MemberUpdatedV1: directory.on_member_updated,
        m.MemberRetiredV1: directory.on_member_retired,
        m.LiaisonLinkedV1: directory.on_liaison_linked,
        m.LiaisonUnlinkedV1: directory.on_liaison_unlinked,
        VisitRecordedV1: on_visit_recorded,
        **dict.fromkeys(OBLIGATION_EVENTS, on_obligation_event),
        **dict.fromkeys(CONCERN_EVENTS, on_concern_event),
    }


def kpi_projections(pseudonymize: Pseudonymizer, *, group: str = KPI_GROUP) -> ConsumerSpec:
    """Every KPI projection, the dossiers and the data-platform feed: one group, one batch tx."""

    def uow_factory(pool: asyncpg.Pool) -> ReportingUnitOfWork:
        return ReportingUnitOfWork(pool, pseudonymize)

    factory: Callable[[asyncpg.Pool], ReportingUnitOfWork] = uow_factory
    return ConsumerSpec(
        group=group, topics=KPI_TOPICS, handlers=kpi_handlers(), uow_factory=factory
    )
