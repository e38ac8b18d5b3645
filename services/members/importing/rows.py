"""Table rows to typed rows, one kind at a time; every problem becomes a RowError. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from re import Pattern
from typing import Any

from services.members.domain.members import MemberProfile
from services.members.importing import checks
from services.members.importing.errors import RowError
from services.members.importing.files import SheetRow, Table
from services.members.importing.kinds import ImportKind

COMMITTEE_TYPES = {"committee": "committee", "政协": "committee", "政协委员会": "committee"}
COMMITTEE_TYPES |= {"special_committee": "special_committee", "专委会": "special_committee"}
UNIT_KINDS = {
    "residential_compound": "住宅小区",
    "office_building": "商务楼宇",
    "village": "村",
    "enterprise": "企业",
    "school": "学校",
    "hospital": "医院",
    "farm": "农场",
    "other": "其他",
}
WORKSTATION_KINDS = {"workstation": "委员工作站", "workroom": "委员工作室"}


@dataclass(frozen=True, slots=True)
class CommitteeRow:
    row: int
    external_id: str
    type: str  # committee | special_committee
    code: str
    name: str
    region_code: str | None  # committees
    committee_code: str | None  # special committees


@dataclass(frozen=True, slots=True)
class MemberRow:
    row: int
    external_id: str
    profile: MemberProfile


@dataclass(frozen=True, slots=True)
class UnitRow:
    row: int
    external_id: str
    member_external_id: str
    name: str
    kind: str
    region_code: str
    address: str | None


@dataclass(frozen=True, slots=True)
class LiaisonRow:
    row: int
    external_id: str
    member_external_id: str
    name: str
    phone: str
    id_number: str | None
    workplace: str | None
    region_code: str | None  # None: the member's region
    consent_to_departments: bool


@dataclass(frozen=True, slots=True)
class WorkstationRow:
    row: int
    external_id: str
    kind: str
    name: str
    region_code: str
    locality_code: str | None
    head_name: str | None
    guiding_special_committee_code: str | None
    member_external_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DepartmentRow:
    row: int
    external_id: str
    code: str
    name: str
    region_code: str
    contact: str | None
    platform_id: str | None


class RowReader:
    """Reads one row's cells by column key; a failed cell records its error and returns ""."""

    def __init__(
        self, table: Table, index: Mapping[str, int], row: SheetRow, errors: list[RowError]
    ) -> None:
        self._table, self._index, self._row, self._errors = table, index, row, errors
        self.failed = False

    @property
    def number(self) -> int:
        return self._row.number

    def fail(self, key: str, reason: str) -> None:
        self._errors.append(RowError(self._row.number, self._table.header(key), reason))
        self.failed = True

    def raw(self, key: str) -> str:
        position = self._index.get(key)
        return "" if position is None else self._row.cells[position]

    def text(self, key: str, max_len: int) -> str | None:
        raw = self.raw(key)
        value = " ".join(raw.split())
        value = raw if value == raw else value  # keep the one copy the table already holds
        if len(value) > max_len:
            self.fail(key, f"longer than {max_len} characters")
        return value or None

    def required(self, key: str, max_len: int = 200) -> str:
        value = self.text(key, max_len)
        if value is None:
            self.fail(key, "required")
        return value or ""

    def code(self, key: str, pattern: Pattern[str], what: str, *, required: bool) -> str | None:
        value = self.required(key, 64) if required else self.text(key, 64)
        if value and len(value) <= 64 and not pattern.fullmatch(value):
            self.fail(key, f"not a valid {what}")
        return value

    def choice(self, key: str, options: Mapping[str, str]) -> str:
        value = self.required(key)
        found = options.get(value.lower()) or options.get(value)
        if value and found is None:
            self.fail(key, "not one of: " + ", ".join(sorted(set(options.values()))))
        return found or ""


def parse_chunk(
    table: Table, rows: Sequence[SheetRow], errors: list[RowError], *, today: date
) -> list[Any]:
    """Typed rows for the ones without errors; the rest add their errors to `errors`."""
    index = {key: i for i, key in enumerate(table.keys)}
    parse = _PARSERS[table.kind]
    typed = []
    for row in rows:
        reader = RowReader(table, index, row, errors)
        value = parse(reader, today)
        if not reader.failed:
            typed.append(value)
    return typed


def _committee(r: RowReader, today: date) -> CommitteeRow:
    external_id = r.code("external_id", checks.EXTERNAL_ID, "external id", required=True)
    kind = r.choice("type", COMMITTEE_TYPES)
    code = r.code("code", checks.COMMITTEE_CODE, "committee code", required=True)
    name = r.required("name", 100)
    region = r.code("region_code", checks.REGION_CODE, "6-digit region code", required=False)
    parent = r.code("committee_code", checks.COMMITTEE_CODE, "committee code", required=False)
    if kind == "committee" and not region:
        r.fail("region_code", "required for a committee")
    if kind == "special_committee" and not parent:
        r.fail("committee_code", "required for a special committee")
    if kind == "committee" and parent:
        r.fail("committee_code", "only special committees belong to a committee")
    if kind == "special_committee" and region:
        r.fail("region_code", "a special committee takes its committee's region")
    return CommitteeRow(r.number, external_id or "", kind, code or "", name, region, parent)


def _member(r: RowReader, today: date) -> MemberRow:
    external_id = r.code("external_id", checks.EXTERNAL_ID, "external id", required=True)
    profile = MemberProfile(
        full_name=r.required("full_name", 64),
        sector_code=r.code("sector_code", checks.SECTOR_CODE, "sector code", required=True) or "",
        committee_code=r.code(
            "committee_code", checks.COMMITTEE_CODE, "committee code", required=True
        )
        or "",
        region_code=r.code("region_code", checks.REGION_CODE, "6-digit region code", required=True)
        or "",
        special_committee_code=r.code(
            "special_committee_code", checks.COMMITTEE_CODE, "committee code", required=False
        ),
        term=r.text("term", 40),
        title=r.text("title", 200),
    )
    return MemberRow(r.number, external_id or "", profile)


def _unit(r: RowReader, today: date) -> UnitRow:
    return UnitRow(
        row=r.number,
        external_id=r.code("external_id", checks.EXTERNAL_ID, "external id", required=True) or "",
        member_external_id=_member_ref(r),
        name=r.required("name", 200),
        kind=r.choice("kind", _with_labels(UNIT_KINDS)),
        region_code=r.code("region_code", checks.REGION_CODE, "6-digit region code", required=True)
        or "",
        address=r.text("address", 200),
    )


def _liaison(r: RowReader, today: date) -> LiaisonRow:
    external_id = r.code("external_id", checks.EXTERNAL_ID, "external id", required=True)
    member = _member_ref(r)
    name = r.required("name", 64)
    phone = r.required("phone", 32)
    normal_phone = checks.normalise_phone(phone) if phone else None
    if phone and normal_phone is None:
        r.fail("phone", "not a mobile (11 digits, 1xx) or landline (0xxx-xxxxxxx) number")
    id_number = r.text("id_number", 18 + 2)
    id_number = id_number.upper() if id_number else None
    problem = checks.id_number_problem(id_number, today=today) if id_number else None
    if problem:
        r.fail("id_number", problem)
    region = r.code("region_code", checks.REGION_CODE, "6-digit region code", required=False)
    consent_text = r.raw("consent_to_departments")
    consent = checks.flag(consent_text) if consent_text else False
    if consent is None:
        r.fail("consent_to_departments", "not 是/否 (yes/no)")
    return LiaisonRow(
        r.number,
        external_id or "",
        member,
        name,
        normal_phone or "",
        id_number,
        r.text("workplace", 200),
        region,
        bool(consent),
    )


def _workstation(r: RowReader, today: date) -> WorkstationRow:
    region = r.code("region_code", checks.REGION_CODE, "6-digit region code", required=True)
    locality = r.code("locality_code", checks.LOCALITY_CODE, "9 or 12 digit code", required=False)
    if locality and region and not locality.startswith(region):
        r.fail("locality_code", "does not lie inside region_code")
    members = checks.split_ids(r.raw("member_external_ids"))
    if any(not checks.EXTERNAL_ID.fullmatch(m) for m in members):
        r.fail("member_external_ids", "holds something that is not an external id")
    elif len(set(members)) != len(members):
        r.fail("member_external_ids", "names a member twice")
    return WorkstationRow(
        row=r.number,
        external_id=r.code("external_id", checks.EXTERNAL_ID, "external id", required=True) or "",
        kind=r.choice("kind", _with_labels(WORKSTATION_KINDS)),
        name=r.required("name", 200),
        region_code=region or "",
        locality_code=locality,
        head_name=r.text("head_name", 64),
        guiding_special_committee_code=r.code(
            "guiding_special_committee_code", checks.COMMITTEE_CODE, "code", required=False
        ),
        member_external_ids=tuple(members),
    )


def _department(r: RowReader, today: date) -> DepartmentRow:
    return DepartmentRow(
        row=r.number,
        external_id=r.code("external_id", checks.EXTERNAL_ID, "external id", required=True) or "",
        code=r.code("code", checks.COMMITTEE_CODE, "department code", required=True) or "",
        name=r.required("name", 200),
        region_code=r.code("region_code", checks.REGION_CODE, "6-digit region code", required=True)
        or "",
        contact=r.text("contact", 200),
        platform_id=r.text("platform_id", 64),
    )


def _member_ref(r: RowReader) -> str:
    return r.code("member_external_id", checks.EXTERNAL_ID, "external id", required=True) or ""


def _with_labels(values: Mapping[str, str]) -> dict[str, str]:
    """Accept the English value or its Chinese label; both map to the English value."""
    return {**{v: v for v in values}, **{label: v for v, label in values.items()}}


_PARSERS: dict[ImportKind, Callable[[RowReader, date], Any]] = {
    ImportKind.COMMITTEES: _committee,
    ImportKind.MEMBERS: _member,
    ImportKind.UNITS: _unit,
    ImportKind.LIAISONS: _liaison,
    ImportKind.WORKSTATIONS: _workstation,
    ImportKind.DEPARTMENTS: _department,
}
