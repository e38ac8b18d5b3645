"""Member workstations (委员工作站) and workrooms (委员工作室): where members meet their sector.

Each sits in a county or city (`region_code`), optionally in a township or community inside it
(`locality_code`), has a head (often the township party secretary) and a guiding special
committee; members are attached to it and keep a duty rota (值班表) there. A closed one is kept
for the record and refuses every change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum, StrEnum
from uuid import UUID

from shared.errors import Conflict, InvalidInput


class WorkstationKind(StrEnum):
    WORKSTATION = "workstation"  # 委员工作站
    WORKROOM = "workroom"  # 委员工作室


class WorkstationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Shift(StrEnum):
    DAY = "day"
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


class Keep(Enum):
    """A PATCH field that was not sent: keep what is there (None would clear it)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class NewWorkstation:
    kind: WorkstationKind
    name: str
    region_code: str
    locality_code: str | None = None
    head_name: str | None = None
    guiding_special_committee_code: str | None = None
    external_id: str | None = None


@dataclass(frozen=True)
class WorkstationChanges:
    name: str | Keep = KEEP
    head_name: str | Keep | None = KEEP
    guiding_special_committee_code: str | Keep | None = KEEP


@dataclass(frozen=True)
class Workstation:
    id: UUID
    kind: WorkstationKind
    name: str
    region_code: str
    locality_code: str | None
    head_name: str | None
    guiding_special_committee_code: str | None
    status: WorkstationStatus
    external_id: str | None
    opened_at: datetime
    closed_at: datetime | None = None
    member_ids: tuple[UUID, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status is WorkstationStatus.OPEN


@dataclass(frozen=True, order=True)
class DutyShift:
    """One entry of the duty rota: this member is on duty there on that date and shift."""

    duty_date: date
    shift: Shift
    member_id: UUID


def clean_text(value: str, field: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidInput(f"{field} must not be blank")
    return text


def _optional_text(value: str | None, field: str) -> str | None:
    return None if value is None or not value.strip() else clean_text(value, field)


def check_locality(region_code: str, locality_code: str | None) -> None:
    """A township (9 digits) or community (12 digits) code extends its county's code."""
    if locality_code is None:
        return
    if len(locality_code) not in (9, 12) or not locality_code.isdigit():
        raise InvalidInput("locality_code is a 9-digit township or 12-digit community code")
    if not locality_code.startswith(region_code):
        raise InvalidInput("locality_code must lie inside region_code")


def open_workstation(workstation_id: UUID, new: NewWorkstation, *, at: datetime) -> Workstation:
    check_locality(new.region_code, new.locality_code)
    return Workstation(
        id=workstation_id,
        kind=new.kind,
        name=clean_text(new.name, "name"),
        region_code=new.region_code,
        locality_code=new.locality_code,
        head_name=_optional_text(new.head_name, "head_name"),
        guiding_special_committee_code=new.guiding_special_committee_code,
        status=WorkstationStatus.OPEN,
        external_id=new.external_id,
        opened_at=at,
    )


def _require_open(ws: Workstation) -> None:
    if not ws.is_open:
        raise Conflict("the workstation is closed")


def amend(ws: Workstation, changes: WorkstationChanges) -> Workstation:
    """The workstation with `changes` applied (the same object if nothing would change)."""
    _require_open(ws)
    c = changes
    updated = replace(
        ws,
        name=ws.name if isinstance(c.name, Keep) else clean_text(c.name, "name"),
        head_name=(
            ws.head_name
            if isinstance(c.head_name, Keep)
            else _optional_text(c.head_name, "head_name")
        ),
        guiding_special_committee_code=(
            ws.guiding_special_committee_code
            if isinstance(c.guiding_special_committee_code, Keep)
            else c.guiding_special_committee_code
        ),
    )
    return ws if updated == ws else updated


def attach_members(ws: Workstation, member_ids: Iterable[UUID]) -> Workstation:
    """Replace who is attached; ids are kept sorted so equal sets compare equal."""
    _require_open(ws)
    attached = tuple(sorted(set(member_ids)))
    return ws if attached == ws.member_ids else replace(ws, member_ids=attached)


def plan_rota(ws: Workstation, entries: Iterable[DutyShift]) -> list[DutyShift]:
    """The rota to store: only attached members hold duty; repeats collapse into one entry."""
    _require_open(ws)
    rota = sorted(set(entries))
    strangers = sorted({str(e.member_id) for e in rota} - {str(m) for m in ws.member_ids})
    if strangers:
        raise InvalidInput(f"not attached to this workstation: {', '.join(strangers)}")
    return rota


def close(ws: Workstation, *, at: datetime) -> Workstation:
    _require_open(ws)
    return replace(ws, status=WorkstationStatus.CLOSED, closed_at=at)
