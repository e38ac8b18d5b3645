"""Who consumes what: every consumer group of every service, read from the services' own specs.

Taken from the specs (not restated) so a new handler is reconciled without touching the harness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from services.notifications.consumers import reactions, recipients
from services.reporting.consumers import kpi_projections, member_directory
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


def _group(service: str, spec: ConsumerSpec) -> Group:
    types = [*spec.handlers, *spec.batch_handlers]
    return Group(
        service=service,
        name=spec.group,
        topics=frozenset(spec.topics),
        event_types=frozenset(cast(Any, t).event_type_name for t in types),
    )


def consumer_groups() -> list[Group]:
    # The handler maps only close over these collaborators; building them never calls them.
    nothing = cast(Any, None)
    return [
        _group("visits", members_events(VisitsSettings())),
        _group("notifications", recipients),
        _group("notifications", reactions(nothing)),
        _group("reporting", member_directory),
        _group("reporting", kpi_projections(nothing)),
    ]
