"""What the visits use cases are asked to do: one frozen command per use case.

Entry points (HTTP endpoints, the background jobs) build these; the handlers take them with
their dependencies as keywords. Events from the members service are their own commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from uuid import UUID

from shared.contracts.visits import Channel, ConcernKind, PlaceKind, UpgradeTarget, VisitOccasion

# Contact records (走访).


@dataclass(frozen=True)
class RaisedConcern:
    """A concern raised in a contact record, optionally by one of the member's liaisons."""

    kind: ConcernKind
    title: str
    body: str
    liaison_id: UUID | None = None


@dataclass(frozen=True)
class RecordVisit:
    member_id: UUID
    channel: Channel
    occasion: VisitOccasion
    occurred_on: date
    place_kind: PlaceKind
    place_id: UUID | None
    liaison_ids: list[UUID]
    people_reached: int
    heart_to_heart_talks: int
    summary: str
    evidence: list[dict[str, str]]
    obligation_ids: list[UUID] | None = None
    concerns: list[RaisedConcern] = field(default_factory=list)


# Concerns on a member's duty list (履职清单).


@dataclass(frozen=True)
class SubmitConcernOnline:
    member_id: UUID
    kind: ConcernKind
    title: str
    body: str
    consent_to_share_identity: bool


@dataclass(frozen=True)
class AcceptConcern:
    concern_id: UUID


@dataclass(frozen=True)
class RejectConcern:
    concern_id: UUID
    reason: str | None = None  # for the submitter: history only, never in events


@dataclass(frozen=True)
class MergeConcern:
    concern_id: UUID
    into: UUID


@dataclass(frozen=True)
class AssignConcern:
    """交办 to a department, due on a day."""

    concern_id: UUID
    department_code: str
    due_on: date


@dataclass(frozen=True)
class ReplyToConcern:
    """办复 by the assigned department itself, through the API."""

    concern_id: UUID
    reply: str


@dataclass(frozen=True)
class RateConcern:
    concern_id: UUID
    satisfaction: int
    resolved: bool


@dataclass(frozen=True)
class UpgradeConcern:
    concern_id: UUID
    to: UpgradeTarget
    reference: str


# The bridge to the government disposal platform (政务联动处置平台).


@dataclass(frozen=True)
class RecordPlatformReply:
    """办复 delivered by the disposal platform for one assignment round."""

    concern_id: UUID
    round: int
    department_code: str
    reply: str


@dataclass(frozen=True)
class DispatchAssignments:
    """Send one batch of due assignments."""

    limit: int


@dataclass(frozen=True)
class ReplayDispatch:
    dispatch_id: UUID


# The obligations sweep (八必访 overdue and escalation).


@dataclass(frozen=True)
class MarkOverdue:
    limit: int


@dataclass(frozen=True)
class EscalateOverdue:
    after_days: int
    limit: int


@dataclass(frozen=True)
class SweepObligations:
    """One pass of the overdue and escalation sweep: on its schedule, or asked for by staff."""

    trigger: Literal["schedule", "on_demand"]
    escalate_after_days: int
    batch_size: int
