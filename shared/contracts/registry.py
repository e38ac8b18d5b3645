"""Every integration event type, by its type name: how consumers find the model for a message."""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts import dataplatform, members, notifications, visits
from shared.contracts.base import IntegrationEvent

_ALL: tuple[type[IntegrationEvent], ...] = (
    members.MemberRegisteredV1,
    members.MemberUpdatedV1,
    members.MemberRetiredV1,
    members.UnitLinkedV1,
    members.LiaisonLinkedV1,
    members.LiaisonUpdatedV1,
    members.LiaisonUnlinkedV1,
    members.CircumstanceReportedV1,
    members.WorkstationOpenedV1,
    members.WorkstationChangedV1,
    members.WorkstationClosedV1,
    members.PolicyIssuedV1,
    members.OccasionDeclaredV1,
    members.DepartmentRegisteredV1,
    members.DepartmentUpdatedV1,
    visits.VisitRecordedV1,
    visits.ObligationOpenedV1,
    visits.ObligationFulfilledV1,
    visits.ObligationOverdueV1,
    visits.ObligationEscalatedV1,
    visits.ObligationWithdrawnV1,
    visits.ConcernSubmittedV1,
    visits.ConcernAcceptedV1,
    visits.ConcernRejectedV1,
    visits.ConcernMergedV1,
    visits.ConcernAssignedV1,
    visits.ConcernRepliedV1,
    visits.ConcernRatedV1,
    visits.ConcernReopenedV1,
    visits.ConcernClosedV1,
    visits.ConcernUpgradedV1,
    notifications.NotificationDeliveredV1,
    notifications.NotificationFailedV1,
    dataplatform.DataPlatformVisitRecordedV1,
    dataplatform.DataPlatformObligationChangedV1,
    dataplatform.DataPlatformConcernChangedV1,
)

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {cls.event_type_name: cls for cls in _ALL}


def event_class(event_type: str) -> type[IntegrationEvent] | None:
    return EVENT_TYPES.get(event_type)


def topics_of(event_types: Iterable[type[IntegrationEvent]]) -> tuple[str, ...]:
    """The topics that carry `event_types` (each class names its own), in first-seen order:
    what a consumer of exactly these types must subscribe to."""
    return tuple(dict.fromkeys(cls.topic for cls in event_types))
