"""Events the members service publishes (the province's directory of who is who).

None carries a liaison's personal data: liaisons appear by id and a masked display name only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field, StringConstraints

from shared.contracts import topics
from shared.contracts.base import IntegrationEvent
from shared.regions import RegionCode

SectorCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
CommitteeCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
MemberStatus = Literal["active", "on_leave", "retired"]
CircumstanceKind = Literal["life_change", "request", "hardship"]
OccasionKind = Literal[
    "leader_speech", "congress_closed", "policy_issued", "plenary_upcoming", "sector_festival"
]
WorkstationKind = Literal["workstation", "workroom"]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
DepartmentCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class _MemberEvent(IntegrationEvent):
    topic: ClassVar[str] = topics.MEMBERS_MEMBER.name
    member_id: UUID

    def partition_key(self) -> str:
        return str(self.member_id)


class MemberRegisteredV1(_MemberEvent):
    """A committee member (委员) joined the directory."""

    event_type_name: ClassVar[str] = "members.member.registered.v1"

    full_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    sector_code: SectorCode
    committee_code: CommitteeCode
    special_committee_code: CommitteeCode | None = None


class MemberUpdatedV1(_MemberEvent):
    """A member's profile, placement or status changed; carries the whole new state."""

    event_type_name: ClassVar[str] = "members.member.updated.v1"

    full_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    sector_code: SectorCode
    committee_code: CommitteeCode
    special_committee_code: CommitteeCode | None = None
    status: MemberStatus


class MemberRetiredV1(_MemberEvent):
    """A member left the committee: no new obligations, open ones are withdrawn."""

    event_type_name: ClassVar[str] = "members.member.retired.v1"

    retired_on: date


class UnitLinkedV1(_MemberEvent):
    """A member linked (or re-linked) their one grassroots unit (基层单元)."""

    event_type_name: ClassVar[str] = "members.member.unit_linked.v1"

    unit_id: UUID
    unit_name: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    unit_kind: str


class _LiaisonEvent(IntegrationEvent):
    topic: ClassVar[str] = topics.MEMBERS_LIAISON.name
    liaison_id: UUID
    member_id: UUID

    def partition_key(self) -> str:
        return str(self.liaison_id)


class LiaisonLinkedV1(_LiaisonEvent):
    """A constituent liaison (界别群众联系人) was linked to a member."""

    event_type_name: ClassVar[str] = "members.liaison.linked.v1"

    display_name: Annotated[str, Field(description="masked, e.g. 张*明")]
    sector_code: SectorCode
    consent_to_departments: bool


class LiaisonUpdatedV1(_LiaisonEvent):
    event_type_name: ClassVar[str] = "members.liaison.updated.v1"

    display_name: Annotated[str, Field(description="masked, e.g. 张*明")]
    consent_to_departments: bool


class LiaisonUnlinkedV1(_LiaisonEvent):
    event_type_name: ClassVar[str] = "members.liaison.unlinked.v1"


class CircumstanceReportedV1(_LiaisonEvent):
    """A liaison's life changed, they raised an important request, or met hardship (八必访 5-7)."""

    event_type_name: ClassVar[str] = "members.liaison.circumstance_reported.v1"

    report_id: UUID
    kind: CircumstanceKind
    sector_code: SectorCode
    display_name: Annotated[str, Field(description="masked, e.g. 张*明")]


class _WorkstationEvent(IntegrationEvent):
    topic: ClassVar[str] = topics.MEMBERS_WORKSTATION.name
    workstation_id: UUID

    def partition_key(self) -> str:
        return str(self.workstation_id)


class WorkstationOpenedV1(_WorkstationEvent):
    """A member workstation (委员工作站) or workroom (委员工作室) opened."""

    event_type_name: ClassVar[str] = "members.workstation.opened.v1"

    kind: WorkstationKind
    name: Title
    guiding_special_committee_code: CommitteeCode | None = None
    member_ids: list[UUID] = Field(default_factory=list)


class WorkstationChangedV1(_WorkstationEvent):
    """Its name, guidance or attached members changed; carries the whole new state."""

    event_type_name: ClassVar[str] = "members.workstation.changed.v1"

    kind: WorkstationKind
    name: Title
    guiding_special_committee_code: CommitteeCode | None = None
    member_ids: list[UUID] = Field(default_factory=list)


class WorkstationClosedV1(_WorkstationEvent):
    event_type_name: ClassVar[str] = "members.workstation.closed.v1"


class _DepartmentEvent(IntegrationEvent):
    """A department (承办单位) concerns are assigned to; `region_code` is where it serves."""

    topic: ClassVar[str] = topics.MEMBERS_DEPARTMENT.name
    department_id: UUID
    code: DepartmentCode
    name: Title
    platform_id: Annotated[
        str | None, Field(description="its id on the government disposal platform")
    ] = None

    def partition_key(self) -> str:
        return str(self.department_id)


class DepartmentRegisteredV1(_DepartmentEvent):
    event_type_name: ClassVar[str] = "members.department.registered.v1"


class DepartmentUpdatedV1(_DepartmentEvent):
    """Its name, contact or platform id changed; carries the whole new state."""

    event_type_name: ClassVar[str] = "members.department.updated.v1"


class PolicyIssuedV1(IntegrationEvent):
    """Central or provincial policy closely related to some sectors was issued (八必访 no. 3)."""

    event_type_name: ClassVar[str] = "members.policy.issued.v1"
    topic: ClassVar[str] = topics.MEMBERS_POLICY.name

    occasion_id: UUID
    title: Title
    issued_on: date
    sector_codes: list[SectorCode] = Field(min_length=1)
    region_codes: list[RegionCode] = Field(min_length=1, description="scopes it concerns")

    def partition_key(self) -> str:
        return str(self.occasion_id)


class OccasionDeclaredV1(IntegrationEvent):
    """A must-visit occasion was declared for some sectors and regions (八必访 1-4, 8)."""

    event_type_name: ClassVar[str] = "members.occasion.declared.v1"
    topic: ClassVar[str] = topics.MEMBERS_OCCASION.name

    occasion_id: UUID
    kind: OccasionKind
    title: Title
    occurs_on: date = Field(description="the speech, close, plenary or festival date")
    sector_codes: list[SectorCode] = Field(min_length=1)
    region_codes: list[RegionCode] = Field(min_length=1, description="scopes it concerns")

    def partition_key(self) -> str:
        return str(self.occasion_id)
