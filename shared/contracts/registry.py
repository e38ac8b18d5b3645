"""Every integration event type, by its type name: how consumers find the model for a message."""

from __future__ import annotations

from shared.contracts.base import IntegrationEvent
from shared.contracts.members import MemberRegisteredV1

EVENT_TYPES: dict[str, type[IntegrationEvent]] = {
    cls.event_type_name: cls for cls in (MemberRegisteredV1,)
}


def event_class(event_type: str) -> type[IntegrationEvent] | None:
    return EVENT_TYPES.get(event_type)
