"""What every fact handler does besides its projection: the dossier line and the feed fact."""

from __future__ import annotations

from uuid import UUID

from services.reporting.unit_of_work import ReportingUnitOfWork
from shared.contracts.base import IntegrationEvent

# The envelope and the ids already stored in their own columns.
_NOT_FACTS = {"event_id", "occurred_at", "region_code", "member_id", "event_type"}


async def add_to_timeline(
    event: IntegrationEvent, uow: ReportingUnitOfWork, *, member_id: UUID, subject_id: UUID | None
) -> None:
    facts = event.model_dump(mode="json", exclude=_NOT_FACTS)
    await uow.timeline.append(
        event_id=event.event_id,
        member_id=member_id,
        occurred_at=event.occurred_at,
        event_type=event.event_type_name,
        subject_id=subject_id,
        facts=facts,
    )


async def publish_to_data_platform(fact: IntegrationEvent, uow: ReportingUnitOfWork) -> None:
    """Through the outbox (leaves only if the batch commits) and into the pull feed."""
    uow.record(fact)
    await uow.feed.append(fact)
