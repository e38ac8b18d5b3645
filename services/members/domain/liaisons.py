"""A member's roster: the one grassroots unit (基层单元) and the liaisons (界别群众联系人).

Liaisons carry personal data (name, phone, workplace, ID number). The rules here say what is
valid, who may see it in clear, and what a change is; storage encrypts it, the API masks it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal, get_args
from uuid import UUID

from services.members.domain.masking import mask_id_number, mask_name, mask_phone, mask_workplace
from services.members.domain.members import LiaisonQuota, Member, MemberStatus
from shared.auth import Principal, Role
from shared.contracts.members import CircumstanceKind
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.logging import redact_text
from shared.regions import in_scope

UnitKind = Literal[
    "residential_compound",
    "office_building",
    "village",
    "enterprise",
    "school",
    "hospital",
    "farm",
    "other",
]
UNIT_KINDS: tuple[str, ...] = get_args(UnitKind)
CIRCUMSTANCE_KINDS: tuple[str, ...] = get_args(CircumstanceKind)
PERSONAL_FIELDS = ("name", "phone", "workplace", "id_number")
REASON_LENGTH = (5, 200)

# The offices that keep a region's roster; special committees follow it, masked.
ROSTER_KEEPERS = frozenset({Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN})
MASKED_READERS = ROSTER_KEEPERS | {Role.COMMITTEE_STAFF}

# ASCII digits only: `\d` would accept full-width digits.
_MOBILE = re.compile(r"(?:\+?86)?(1[3-9][0-9]{9})")
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}-[1-9][0-9]{6,7}")
_ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


class InvalidPersonalData(InvalidInput, ValueError):
    """Bad personal data. The message names the field and never repeats the value.

    Also a ValueError, so a Pydantic validator that raises it reports the field's location.
    """


class LiaisonStatus(StrEnum):
    LINKED = "linked"
    UNLINKED = "unlinked"


class Sight(StrEnum):
    """How much of a liaison's personal data a caller gets."""

    FULL = "full"
    MASKED = "masked"


@dataclass(frozen=True)
class PersonalData:
    name: str
    phone: str
    workplace: str | None = None
    id_number: str | None = None

    def __repr__(self) -> str:
        # A repr ends up in tracebacks, assertion messages and debug logs: masked there too.
        m = self.masked()
        return f"PersonalData({m.name!r}, {m.phone!r}, {m.workplace!r}, {m.id_number!r})"

    def present(self) -> list[str]:
        """The personal fields that hold a value (what a read in clear discloses)."""
        return [f for f in PERSONAL_FIELDS if getattr(self, f) is not None]

    def masked(self) -> PersonalData:
        return PersonalData(
            name=mask_name(self.name),
            phone=mask_phone(self.phone),
            workplace=mask_workplace(self.workplace) if self.workplace else None,
            id_number=mask_id_number(self.id_number) if self.id_number else None,
        )


@dataclass(frozen=True)
class Liaison:
    id: UUID
    member_id: UUID
    region_code: str
    personal: PersonalData
    consent_to_departments: bool
    status: LiaisonStatus
    linked_at: datetime
    external_id: str | None = None
    unlinked_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def display_name(self) -> str:
        """What events and other services may show: 张*明."""
        return mask_name(self.personal.name)


@dataclass(frozen=True)
class LiaisonChanges:
    """A PATCH: None leaves a field alone; `cleared` names optional fields set to nothing."""

    name: str | None = None
    phone: str | None = None
    workplace: str | None = None
    id_number: str | None = None
    consent_to_departments: bool | None = None
    cleared: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Circumstance:
    """A liaison's life changed, they raised a request, or met hardship (八必访 5-7)."""

    id: UUID
    liaison_id: UUID
    member_id: UUID
    kind: CircumstanceKind
    summary: str
    reported_at: datetime
    reported_by: str


@dataclass(frozen=True)
class GrassrootsUnit:
    id: UUID
    member_id: UUID
    name: str
    kind: UnitKind
    region_code: str
    address: str | None
    linked_at: datetime
    external_id: str | None = None


# --- validation -------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidPersonalData("name must not be blank")
    return cleaned


def clean_phone(phone: str) -> str:
    """A mainland mobile (138 1234 5678, +86 allowed) or a landline with its area code."""
    compact = "".join(phone.split())
    mobile = _MOBILE.fullmatch(compact.replace("-", ""))
    if mobile:
        return mobile[1]
    if _LANDLINE.fullmatch(compact):
        return compact
    raise InvalidPersonalData(
        "phone must be a mainland mobile number (11 digits starting 13-19) "
        "or a landline: area code, hyphen, 7 or 8 digits"
    )


def clean_id_number(id_number: str) -> str:
    """An 18-character resident ID number whose last character is its GB 11643 checksum."""
    value = id_number.strip().upper()
    if not _ID_NUMBER.fullmatch(value):
        raise InvalidPersonalData("id_number must be 17 digits followed by a digit or X")
    if value[-1] != id_checksum(value[:17]):
        raise InvalidPersonalData("id_number fails the GB 11643 checksum")
    return value


def id_checksum(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def clean_workplace(workplace: str | None) -> str | None:
    cleaned = " ".join(workplace.split()) if workplace else ""
    return cleaned or None


def personal_data(
    name: str, phone: str, workplace: str | None = None, id_number: str | None = None
) -> PersonalData:
    return PersonalData(
        name=clean_name(name),
        phone=clean_phone(phone),
        workplace=clean_workplace(workplace),
        id_number=clean_id_number(id_number) if id_number else None,
    )


def reveal_reason(reason: str | None) -> str:
    """Why an office wants a liaison's data in clear: required, and itself free of it."""
    low, high = REASON_LENGTH
    text = " ".join((reason or "").split())
    if not low <= len(text) <= high:
        raise InvalidInput(f"reason is required to reveal personal data ({low}-{high} characters)")
    if redact_text(text) != text:
        raise InvalidInput("reason must not contain phone or ID numbers")
    return text


# --- who sees and changes what -----------------------------------------------------------------


def screen(principal: Principal) -> None:
    """Roles that never see a liaison are told so before anything is loaded (404, as for a
    liaison that does not exist: departments, constituents, the data platform, auditors)."""
    if principal.role is not Role.MEMBER and principal.role not in MASKED_READERS:
        raise NotFound("liaison not found")


def sight(principal: Principal, liaison: Liaison) -> Sight:
    """The owning member sees in clear; offices and special committees in scope see masked;
    for everyone else the liaison does not exist."""
    seen = _sight(principal, liaison.member_id, liaison.region_code)
    if seen is None:
        raise NotFound("liaison not found")
    return seen


def roster_sight(principal: Principal, member: Member) -> Sight:
    """The same rule for a member's roster as a whole (the list, the unit)."""
    seen = _sight(principal, member.id, member.region_code)
    if seen is None:
        raise NotFound("member not found")
    return seen


def _sight(principal: Principal, member_id: UUID, region_code: str) -> Sight | None:
    if principal.role is Role.MEMBER:
        return Sight.FULL if principal.member_id == member_id else None
    if principal.role in MASKED_READERS and principal.can_see_region(region_code):
        return Sight.MASKED
    return None


def require_keeper(principal: Principal) -> None:
    """Asked once the caller has sight: the member or an office changes a roster. Special
    committees only follow it; they know it exists, so they get 403, not 404."""
    if principal.role is not Role.MEMBER and principal.role not in ROSTER_KEEPERS:
        raise Forbidden(f"role {principal.role.value} may not change a member's roster")


def may_reveal(principal: Principal) -> None:
    if principal.role not in ROSTER_KEEPERS:
        raise Forbidden(f"role {principal.role.value} sees liaisons' personal data masked only")


# --- liaisons ------------------------------------------------------------------------------------


def link_liaison(
    liaison_id: UUID,
    member: Member,
    personal: PersonalData,
    *,
    consent_to_departments: bool,
    linked: int,
    quota: LiaisonQuota,
    at: datetime,
    external_id: str | None = None,
) -> Liaison:
    """A new liaison of `member`, who already has `linked` liaisons."""
    if member.status is MemberStatus.RETIRED:
        raise Conflict("a retired member links no liaisons")
    quota.check_room(linked)
    return Liaison(
        id=liaison_id,
        member_id=member.id,
        region_code=member.region_code,
        personal=personal,
        consent_to_departments=consent_to_departments,
        status=LiaisonStatus.LINKED,
        linked_at=at,
        external_id=external_id,
    )


def change_liaison(
    liaison: Liaison, changes: LiaisonChanges, *, at: datetime
) -> tuple[Liaison, list[str]]:
    """The liaison after `changes`, and the fields that really changed (empty: nothing to do)."""
    if liaison.status is LiaisonStatus.UNLINKED:
        raise Conflict("an unlinked liaison cannot be changed")
    old = liaison.personal
    new = PersonalData(
        name=clean_name(changes.name) if changes.name is not None else old.name,
        phone=clean_phone(changes.phone) if changes.phone is not None else old.phone,
        workplace=_optional(changes, "workplace", old.workplace, clean_workplace),
        id_number=_optional(changes, "id_number", old.id_number, clean_id_number),
    )
    consent = changes.consent_to_departments
    consent = liaison.consent_to_departments if consent is None else consent
    changed = [f for f in PERSONAL_FIELDS if getattr(new, f) != getattr(old, f)]
    if consent != liaison.consent_to_departments:
        changed.append("consent_to_departments")
    if not changed:
        return liaison, []
    return replace(liaison, personal=new, consent_to_departments=consent, updated_at=at), changed


def _optional(
    changes: LiaisonChanges, field: str, current: str | None, clean: Callable[[str], str | None]
) -> str | None:
    if field in changes.cleared:
        return None
    value: str | None = getattr(changes, field)
    return current if value is None else clean(value)


def unlink_liaison(liaison: Liaison, *, at: datetime) -> Liaison:
    if liaison.status is LiaisonStatus.UNLINKED:
        raise Conflict("the liaison is already unlinked")
    return replace(liaison, status=LiaisonStatus.UNLINKED, unlinked_at=at, updated_at=at)


def report_circumstance(
    report_id: UUID,
    liaison: Liaison,
    kind: CircumstanceKind,
    summary: str,
    *,
    by: str,
    at: datetime,
) -> Circumstance:
    if liaison.status is LiaisonStatus.UNLINKED:
        raise Conflict("circumstances are reported for linked liaisons only")
    if kind not in CIRCUMSTANCE_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(CIRCUMSTANCE_KINDS)}")
    text = summary.strip()
    if not text:
        raise InvalidInput("summary must not be blank")
    return Circumstance(report_id, liaison.id, liaison.member_id, kind, text, at, by)


# --- the grassroots unit -------------------------------------------------------------------------


def link_unit(
    current: GrassrootsUnit | None,
    member: Member,
    *,
    unit_id: UUID,
    name: str,
    kind: UnitKind,
    region_code: str,
    address: str | None,
    at: datetime,
) -> GrassrootsUnit | None:
    """The member's unit after linking this one (same id on a re-link); None: nothing changes."""
    if member.status is MemberStatus.RETIRED:
        raise Conflict("a retired member links no unit")
    if kind not in UNIT_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(UNIT_KINDS)}")
    if not in_scope(member.region_code, region_code):
        raise InvalidInput("region_code must lie inside the member's region")
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput("name must not be blank")
    tidy_address = " ".join(address.split()) if address else None
    wanted = (clean, kind, region_code, tidy_address or None)
    if current and (current.name, current.kind, current.region_code, current.address) == wanted:
        return None
    return GrassrootsUnit(
        id=current.id if current else unit_id,
        member_id=member.id,
        name=clean,
        kind=kind,
        region_code=region_code,
        address=tidy_address or None,
        linked_at=at,
        external_id=current.external_id if current else None,
    )
