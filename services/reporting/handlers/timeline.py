"""What every fact handler does besides its projection: the dossier line and the feed fact."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar
from uuid import UUID

from services.reporting.deidentify import Pseudonymizer
from services.reporting.repository.timeline import TimelineEntry
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts.base import IntegrationEvent
from shared.telemetry import caused_by

E = TypeVar("E", bound=IntegrationEvent)

# The envelope and the ids already stored in their own columns.
_NOT_FACTS = {"event_id", "occurred_at", "region_code", "member_id", "event_type"}


def timeline_entry(
    event: IntegrationEvent, *, member_id: UUID, subject_id: UUID | None
) -> TimelineEntry:
    return TimelineEntry(
        event_id=event.event_id,
        member_id=member_id,
        occurred_at=event.occurred_at,
        event_type=event.event_type_name,
        subject_id=subject_id,
        facts=event.model_dump_json(exclude=_NOT_FACTS),
    )


async def publish_to_data_platform(
    events: Sequence[E],
    fact: Callable[[E, Pseudonymizer], IntegrationEvent],
    uow: ReportingUnitOfWork,
) -> None:
    """Each event's de-identified fact, through the outbox (leaves only if the batch commits)
    and into the pull feed; nothing at all when the unit of work does not publish."""
    if not uow.publishes:
        return
    facts = [fact(e, uow.pseudonymize) for e in events]
    for e, f in zip(events, facts, strict=True):
        with caused_by(e.event_id):  # a fact carries the trace of the event it describes
            uow.record(f)
    await uow.feed.append_all(facts)
