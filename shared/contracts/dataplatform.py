"""De-identified facts reporting publishes for the provincial data platform (`dataplatform.*`).

Members and aggregates appear only by pseudonym (keyed HMAC-SHA256, truncated hex); regions,
sectors, channels, dates and counts are kept. No names, phones, ID numbers, titles or free text.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints

from shared.contracts import topics
from shared.contracts.base import IntegrationEvent
from shared.contracts.members import SectorCode
from shared.contracts.visits import (
    Channel,
    ConcernKind,
    ConcernSource,
    Count,
    OccasionKind,
    PlaceKind,
    UpgradeTarget,
    VisitOccasion,
)

Pseudonym = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9a-f]{32}$"),
    Field(description="HMAC-SHA256 of the id under the reporting pseudonym key, 32 hex chars"),
]
ObligationFact = Literal["opened", "fulfilled", "overdue", "escalated", "withdrawn"]
ConcernFact = Literal[
    "submitted",
    "accepted",
    "rejected",
    "merged",
    "assigned",
    "replied",
    "rated",
    "reopened",
    "closed",
    "upgraded",
]


class DataPlatformVisitRecordedV1(IntegrationEvent):
    """A contact record (走访), de-identified."""

    event_type_name: ClassVar[str] = "dataplatform.visit.recorded.v1"
    topic: ClassVar[str] = topics.DATAPLATFORM_VISIT.name

    visit_ref: Pseudonym
    member_ref: Pseudonym
    sector_code: SectorCode
    channel: Channel
    occasion: VisitOccasion
    occurred_on: date
    place_kind: PlaceKind
    liaisons_contacted: Count
    people_reached: Count
    heart_to_heart_talks: Count
    obligations_fulfilled: Count

    def partition_key(self) -> str:
        return self.member_ref


class DataPlatformObligationChangedV1(IntegrationEvent):
    """A must-visit obligation (八必访) opened, was fulfilled, went overdue, escalated or ended."""

    event_type_name: ClassVar[str] = "dataplatform.obligation.changed.v1"
    topic: ClassVar[str] = topics.DATAPLATFORM_OBLIGATION.name

    fact: ObligationFact
    obligation_ref: Pseudonym
    member_ref: Pseudonym
    sector_code: SectorCode
    occasion_kind: OccasionKind
    due_on: date
    fulfilled_on: date | None = None
    on_time: bool | None = None
    escalation_level: Annotated[int, Field(ge=1, le=2)] | None = None

    def partition_key(self) -> str:
        return self.obligation_ref


class DataPlatformConcernChangedV1(IntegrationEvent):
    """A step in a concern's lifecycle (问题清单 → 履职清单), without its text or submitter."""

    event_type_name: ClassVar[str] = "dataplatform.concern.changed.v1"
    topic: ClassVar[str] = topics.DATAPLATFORM_CONCERN.name

    fact: ConcernFact
    concern_ref: Pseudonym
    member_ref: Pseudonym
    sector_code: SectorCode
    kind: ConcernKind | None = None
    source: ConcernSource | None = None
    department_code: str | None = None
    due_on: date | None = None
    replied_on: date | None = None
    on_time: bool | None = None
    round: Annotated[int, Field(ge=1)] | None = None
    satisfaction: Annotated[int, Field(ge=1, le=5)] | None = None
    resolved: bool | None = None
    merged_into_ref: Pseudonym | None = None
    upgraded_to: UpgradeTarget | None = None

    def partition_key(self) -> str:
        return self.concern_ref
