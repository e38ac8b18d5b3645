"""Reporting's consumer groups: the set-based use case for each event type (topics follow)."""

from __future__ import annotations

from functools import partial

from services.reporting.deidentify import Pseudonymizer
from services.reporting.event_families import CONCERN_EVENTS, OBLIGATION_EVENTS
from services.reporting.handlers import concerns, directory, member_counts, notifications, visits
from services.reporting.settings import ReportingSettings
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts import members as m
from shared.contracts.notifications import NotificationDeliveredV1
from shared.contracts.visits import VisitRecordedV1
from shared.messaging.handlers import handles
from shared.runtime import ConsumerSpec

MEMBER_DIRECTORY_GROUP = "reporting.member-directory"
KPI_GROUP = "reporting.kpi"
_MEMBER_EVENTS: tuple[type[directory.MemberEvent], ...] = (
    m.MemberRegisteredV1,
    m.MemberUpdatedV1,
    m.MemberRetiredV1,
)
_LIAISON_EVENTS: tuple[type[directory.LiaisonEvent], ...] = (
    m.LiaisonLinkedV1,
    m.LiaisonUnlinkedV1,
)
_WORKSTATION_EVENTS: tuple[type[directory.WorkstationEvent], ...] = (
    m.WorkstationOpenedV1,
    m.WorkstationChangedV1,
    m.WorkstationClosedV1,
)

member_directory = ConsumerSpec(
    group=MEMBER_DIRECTORY_GROUP,
    handlers=[handles(m.MemberRegisteredV1, member_counts.count_registered_members)],
    uow_factory=ReportingUnitOfWork,
)

# Every KPI projection, the dossiers and the data-platform feed: consecutive events sharing a
# handler are applied as one run, in the batch's one transaction.
KPI_HANDLERS = (
    handles(_MEMBER_EVENTS, directory.apply_member_events),
    handles(_LIAISON_EVENTS, directory.apply_liaison_events),
    handles(_WORKSTATION_EVENTS, directory.apply_workstation_events),
    handles(VisitRecordedV1, visits.record_visits),
    handles(OBLIGATION_EVENTS, visits.apply_obligation_events),
    handles(CONCERN_EVENTS, concerns.apply_concern_events),
    handles(NotificationDeliveredV1, notifications.count_deliveries),
)


def kpi_projections(
    pseudonymize: Pseudonymizer, *, group: str = KPI_GROUP
) -> ConsumerSpec[ReportingUnitOfWork]:
    return ConsumerSpec(
        group=group,
        handlers=KPI_HANDLERS,
        uow_factory=partial(ReportingUnitOfWork, pseudonymize=pseudonymize),
    )


def reporting_consumers(settings: ReportingSettings) -> list[ConsumerSpec[ReportingUnitOfWork]]:
    """Every group the service runs (main.py), and so every group the rebuild rebuilds."""
    pseudonymize = Pseudonymizer(settings.pseudonym_key.get_secret_value().encode())
    return [member_directory, kpi_projections(pseudonymize)]
