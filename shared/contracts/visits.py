"""Events the visits service publishes: contact records, must-visit obligations, concerns.

No free text (summaries, concern bodies, replies) and no liaison identities beyond ids: these
events feed reporting and, de-identified, the provincial data platform.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field

from shared.contracts import topics
from shared.contracts.base import IntegrationEvent
from shared.contracts.members import CommitteeCode, SectorCode

Channel = Literal["face_to_face", "regular_work", "online", "service", "innovative"]
OccasionKind = Literal[
    "leader_speech",
    "congress_closed",
    "policy_issued",
    "plenary_upcoming",
    "liaison_life_change",
    "liaison_request",
    "liaison_hardship",
    "sector_festival",
]
VisitOccasion = OccasionKind | Literal["routine"]
ConcernKind = Literal["problem", "suggestion", "request", "micro_suggestion"]
ConcernSource = Literal["contact_record", "online"]
PlaceKind = Literal["unit", "workstation", "other"]
UpgradeTarget = Literal["public_opinion_report", "proposal"]
# Not carried by the events (they carry the steps), but the one list the read APIs, the tables'
# CHECKs and the pages' labels (shared/contracts/vocabulary.py) all follow.
ObligationStatus = Literal["open", "overdue", "escalated", "fulfilled", "withdrawn"]
ConcernStatus = Literal[
    "submitted", "accepted", "rejected", "merged", "assigned", "replied", "reopened", "closed"
]
Count = Annotated[int, Field(ge=0, le=100_000)]


class VisitRecordedV1(IntegrationEvent):
    """A member reached their people (走访): one contact record over one of the five channels."""

    event_type_name: ClassVar[str] = "visits.visit.recorded.v1"
    topic: ClassVar[str] = topics.VISITS_VISIT.name

    visit_id: UUID
    member_id: UUID
    sector_code: SectorCode
    channel: Channel
    occasion: VisitOccasion
    occurred_on: date
    place_kind: PlaceKind
    place_id: UUID | None = None
    liaison_ids: list[UUID] = Field(default_factory=list)
    people_reached: Count
    heart_to_heart_talks: Count
    fulfilled_obligation_ids: list[UUID] = Field(default_factory=list)

    def partition_key(self) -> str:
        return str(self.member_id)


class _ObligationEvent(IntegrationEvent):
    topic: ClassVar[str] = topics.VISITS_OBLIGATION.name
    obligation_id: UUID
    member_id: UUID
    occasion_kind: OccasionKind
    sector_code: SectorCode
    due_on: date

    def partition_key(self) -> str:
        return str(self.obligation_id)


class ObligationOpenedV1(_ObligationEvent):
    """An occasion obliges this member to visit by `due_on` (八必访)."""

    event_type_name: ClassVar[str] = "visits.obligation.opened.v1"

    source_id: UUID = Field(description="the occasion, policy or circumstance report")
    title: Annotated[str, Field(max_length=200)]
    liaison_id: UUID | None = None
    special_committee_code: CommitteeCode | None = None


class ObligationFulfilledV1(_ObligationEvent):
    event_type_name: ClassVar[str] = "visits.obligation.fulfilled.v1"

    visit_id: UUID
    fulfilled_on: date
    on_time: bool


class ObligationOverdueV1(_ObligationEvent):
    event_type_name: ClassVar[str] = "visits.obligation.overdue.v1"


class ObligationEscalatedV1(_ObligationEvent):
    """Still unfulfilled: raised to the guiding special committee (level 1), then the city (2)."""

    event_type_name: ClassVar[str] = "visits.obligation.escalated.v1"

    level: Annotated[int, Field(ge=1, le=2)]
    escalated_to: Annotated[str, Field(description="special committee code or city region code")]


class ObligationWithdrawnV1(_ObligationEvent):
    """No longer owed (the member retired)."""

    event_type_name: ClassVar[str] = "visits.obligation.withdrawn.v1"


class _ConcernEvent(IntegrationEvent):
    topic: ClassVar[str] = topics.VISITS_CONCERN.name
    concern_id: UUID
    member_id: UUID
    sector_code: SectorCode

    def partition_key(self) -> str:
        return str(self.concern_id)


class ConcernSubmittedV1(_ConcernEvent):
    """A problem, suggestion or request (问题/建议/诉求/微建议) joined a member's duty list."""

    event_type_name: ClassVar[str] = "visits.concern.submitted.v1"

    kind: ConcernKind
    source: ConcernSource
    visit_id: UUID | None = None
    liaison_id: UUID | None = None
    submitted_by: Annotated[
        str | None,
        Field(
            max_length=200,
            description="an online submitter's account id (token subject), so the answer can "
            "reach them; an opaque id, never a phone number",
        ),
    ] = None


class ConcernAcceptedV1(_ConcernEvent):
    event_type_name: ClassVar[str] = "visits.concern.accepted.v1"


class ConcernRejectedV1(_ConcernEvent):
    event_type_name: ClassVar[str] = "visits.concern.rejected.v1"


class ConcernMergedV1(_ConcernEvent):
    """A duplicate, merged into an earlier concern (the earlier one carries on)."""

    event_type_name: ClassVar[str] = "visits.concern.merged.v1"

    merged_into: UUID


class ConcernAssignedV1(_ConcernEvent):
    """交办: assigned (again, after a reopen) to a government department with a due date."""

    event_type_name: ClassVar[str] = "visits.concern.assigned.v1"

    department_code: Annotated[str, Field(min_length=1, max_length=64)]
    due_on: date
    round: Annotated[int, Field(ge=1, description="1 for the first assignment, 2 after a reopen")]


class ConcernRepliedV1(_ConcernEvent):
    """办复: the department answered."""

    event_type_name: ClassVar[str] = "visits.concern.replied.v1"

    department_code: str
    replied_on: date
    on_time: bool
    round: Annotated[int, Field(ge=1)]


class ConcernRatedV1(_ConcernEvent):
    """The submitter rated the answer: satisfaction 1-5 and whether it was resolved."""

    event_type_name: ClassVar[str] = "visits.concern.rated.v1"

    satisfaction: Annotated[int, Field(ge=1, le=5)]
    resolved: bool
    round: Annotated[int, Field(ge=1)]


class ConcernReopenedV1(_ConcernEvent):
    event_type_name: ClassVar[str] = "visits.concern.reopened.v1"


class ConcernClosedV1(_ConcernEvent):
    event_type_name: ClassVar[str] = "visits.concern.closed.v1"

    resolved: bool


class ConcernUpgradedV1(_ConcernEvent):
    """Raised into a public-opinion report (社情民意信息) or a proposal (提案), with provenance."""

    event_type_name: ClassVar[str] = "visits.concern.upgraded.v1"

    upgraded_to: UpgradeTarget
    reference: Annotated[str, Field(min_length=1, max_length=100)]
