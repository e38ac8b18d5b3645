"""What every fact handler does besides its projection: the dossier line and the feed fact."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from services.reporting.repository.timeline import TimelineEntry
from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts.base import IntegrationEvent

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
        facts=event.model_dump(mode="json", exclude=_NOT_FACTS),
    )


async def publish_to_data_platform(
    facts: Sequence[IntegrationEvent], uow: ReportingUnitOfWork
) -> None:
    """Through the outbox (leaves only if the batch commits) and into the pull feed."""
    uow.record(*facts)
    await uow.feed.append_all(facts)
