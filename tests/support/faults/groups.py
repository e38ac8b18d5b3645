"""Who consumes what: every consumer group of every service, read from the services' own specs.

Taken from the specs (not restated) so a new handler is reconciled without touching the harness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from services.notifications.consumers import reactions, recipients
from services.reporting.consumers import reporting_consumers
from services.reporting.settings import ReportingSettings
from services.visits.consumers import members_events
from services.visits.settings import VisitsSettings
from shared.runtime import ConsumerSpec

PRODUCERS = ("members", "visits", "notifications", "reporting")


@dataclass(frozen=True)
class Group:
    service: str
    name: str
    topics: frozenset[str]
    event_types: frozenset[str]


def _group(service: str, spec: ConsumerSpec[Any]) -> Group:
    return Group(
        service=service,
        name=spec.group,
        topics=frozenset(spec.topics),
        event_types=frozenset(t.event_type_name for t in spec.handler_map),
    )


def consumer_groups() -> list[Group]:
    # The handler maps only close over these collaborators; building them never calls them.
    nothing = cast(Any, None)
    return [
        _group("visits", members_events(VisitsSettings())),
        _group("notifications", recipients),
        _group("notifications", reactions(nothing)),
        *(_group("reporting", spec) for spec in reporting_consumers(ReportingSettings())),
    ]
