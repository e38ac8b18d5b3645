"""Every integration event type, by its type name: how consumers find the model for a message."""

from __future__ import annotations

from shared.contracts import members
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
)

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {cls.event_type_name: cls for cls in _ALL}


def event_class(event_type: str) -> type[IntegrationEvent] | None:
    return EVENT_TYPES.get(event_type)
