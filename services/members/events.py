"""From members' domain objects to the integration events other services read (the only ones).

The use cases and the onboarding import publish the same events through these functions; the
import, which works on rows rather than domain objects, passes the few fields an event carries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from services.members.domain.departments import Department
from services.members.domain.liaisons import Circumstance, GrassrootsUnit, Liaison
from services.members.domain.masking import mask_name
from services.members.domain.members import Member
from services.members.domain.occasions import Occasion, OccasionKind
from services.members.domain.workstations import Workstation
from shared.contracts import members as contracts
from shared.contracts.base import IntegrationEvent
from shared.contracts.members import (
    CircumstanceReportedV1,
    LiaisonLinkedV1,
    LiaisonUnlinkedV1,
    LiaisonUpdatedV1,
    MemberRegisteredV1,
    MemberRetiredV1,
    MemberUpdatedV1,
    UnitLinkedV1,
    WorkstationChangedV1,
    WorkstationClosedV1,
    WorkstationOpenedV1,
)

# --- members ---------------------------------------------------------------------------------


def member_registered(m: Member) -> MemberRegisteredV1:
    return MemberRegisteredV1(
        occurred_at=m.registered_at,
        region_code=m.region_code,
        member_id=m.id,
        full_name=m.full_name,
        sector_code=m.sector_code,
        committee_code=m.committee_code,
        special_committee_code=m.special_committee_code,
    )


def member_updated(m: Member, at: datetime) -> MemberUpdatedV1:
    return MemberUpdatedV1(
        occurred_at=at,
        region_code=m.region_code,
        member_id=m.id,
        full_name=m.full_name,
        sector_code=m.sector_code,
        committee_code=m.committee_code,
        special_committee_code=m.special_committee_code,
        status=m.status.value,
    )


def member_retired(m: Member, at: datetime) -> MemberRetiredV1:
    return MemberRetiredV1(
        occurred_at=at, region_code=m.region_code, member_id=m.id, retired_on=at.date()
    )


# --- units and liaisons ----------------------------------------------------------------------


def unit_linked(unit: GrassrootsUnit, member_region_code: str) -> UnitLinkedV1:
    """Also for a re-link: "linked (or re-linked)" carries the unit's new name."""
    return UnitLinkedV1(
        occurred_at=unit.linked_at,
        region_code=member_region_code,
        member_id=unit.member_id,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_kind=unit.kind,
    )


def liaison_linked(liaison: Liaison, member: Member, at: datetime) -> LiaisonLinkedV1:
    return LiaisonLinkedV1(
        occurred_at=at,
        region_code=liaison.region_code,
        liaison_id=liaison.id,
        member_id=liaison.member_id,
        display_name=liaison.display_name,
        sector_code=member.sector_code,
        consent_to_departments=liaison.consent_to_departments,
    )


def liaison_updated(liaison: Liaison, at: datetime) -> LiaisonUpdatedV1:
    return LiaisonUpdatedV1(
        occurred_at=at,
        region_code=liaison.region_code,
        liaison_id=liaison.id,
        member_id=liaison.member_id,
        display_name=liaison.display_name,
        consent_to_departments=liaison.consent_to_departments,
    )


def liaison_imported(
    *,
    at: datetime,
    region_code: str,
    liaison_id: UUID,
    member_id: UUID,
    sector_code: str,
    name: str,
    consent_to_departments: bool,
    created: bool,
) -> IntegrationEvent:
    """An imported row: linked when new, updated when it changed an existing liaison."""
    common: dict[str, Any] = {
        "occurred_at": at,
        "region_code": region_code,
        "liaison_id": liaison_id,
        "member_id": member_id,
        "display_name": mask_name(name),
        "consent_to_departments": consent_to_departments,
    }
    if created:
        return LiaisonLinkedV1(**common, sector_code=sector_code)
    return LiaisonUpdatedV1(**common)


def liaison_unlinked(liaison: Liaison, at: datetime) -> LiaisonUnlinkedV1:
    return LiaisonUnlinkedV1(
        occurred_at=at,
        region_code=liaison.region_code,
        liaison_id=liaison.id,
        member_id=liaison.member_id,
    )


def circumstance_reported(
    report: Circumstance, liaison: Liaison, member: Member
) -> CircumstanceReportedV1:
    """No summary: what a liaison told their member stays in the members service."""
    return CircumstanceReportedV1(
        occurred_at=report.reported_at,
        region_code=liaison.region_code,
        liaison_id=liaison.id,
        member_id=liaison.member_id,
        report_id=report.id,
        kind=report.kind,
        sector_code=member.sector_code,
        display_name=liaison.display_name,
    )


# --- occasions -------------------------------------------------------------------------------


def occasion_declared(o: Occasion) -> IntegrationEvent:
    """A policy is `PolicyIssuedV1`, every other occasion `OccasionDeclaredV1` (one fact, one
    event; see handlers/occasions.py)."""
    if o.kind is OccasionKind.POLICY_ISSUED:
        return contracts.PolicyIssuedV1(
            occurred_at=o.declared_at,
            region_code=o.region_code,
            occasion_id=o.id,
            title=o.title,
            issued_on=o.occurs_on,
            sector_codes=list(o.sector_codes),
            region_codes=list(o.region_codes),
        )
    return contracts.OccasionDeclaredV1(
        occurred_at=o.declared_at,
        region_code=o.region_code,
        occasion_id=o.id,
        # The domain's enum and the contract's literal list the same kinds (a unit test says so).
        kind=cast(contracts.OccasionKind, o.kind.value),
        title=o.title,
        occurs_on=o.occurs_on,
        sector_codes=list(o.sector_codes),
        region_codes=list(o.region_codes),
    )


# --- workstations ----------------------------------------------------------------------------


def workstation_opened(ws: Workstation) -> WorkstationOpenedV1:
    return WorkstationOpenedV1(
        occurred_at=ws.opened_at,
        region_code=ws.region_code,
        workstation_id=ws.id,
        kind=ws.kind.value,
        name=ws.name,
        guiding_special_committee_code=ws.guiding_special_committee_code,
        member_ids=list(ws.member_ids),
    )


def workstation_changed(ws: Workstation, at: datetime) -> WorkstationChangedV1:
    return WorkstationChangedV1(
        occurred_at=at,
        region_code=ws.region_code,
        workstation_id=ws.id,
        kind=ws.kind.value,
        name=ws.name,
        guiding_special_committee_code=ws.guiding_special_committee_code,
        member_ids=list(ws.member_ids),
    )


def workstation_imported(
    *,
    at: datetime,
    workstation_id: UUID,
    kind: str,
    name: str,
    region_code: str,
    guiding_special_committee_code: str | None,
    member_ids: Sequence[UUID],
    created: bool,
) -> IntegrationEvent:
    """An imported row: opened when new, changed when it changed an existing workstation."""
    cls = WorkstationOpenedV1 if created else WorkstationChangedV1
    return cls(
        occurred_at=at,
        region_code=region_code,
        workstation_id=workstation_id,
        kind=kind,  # type: ignore[arg-type]  # the import checks against the same choices
        name=name,
        guiding_special_committee_code=guiding_special_committee_code,
        member_ids=list(member_ids),
    )


def workstation_closed(ws: Workstation, at: datetime) -> WorkstationClosedV1:
    return WorkstationClosedV1(occurred_at=at, region_code=ws.region_code, workstation_id=ws.id)


# --- departments (承办单位) ------------------------------------------------------------------


def department_registered(d: Department) -> contracts.DepartmentRegisteredV1:
    return contracts.DepartmentRegisteredV1(occurred_at=d.registered_at, **_department(d))


def department_updated(d: Department) -> contracts.DepartmentUpdatedV1:
    return contracts.DepartmentUpdatedV1(occurred_at=d.updated_at, **_department(d))


def _department(d: Department) -> dict[str, Any]:
    return {
        "region_code": d.region_code,
        "department_id": d.id,
        "code": d.code,
        "name": d.name,
        "platform_id": d.platform_id,
    }
