"""Members (委员): who they are, where they sit, and the rules for changing that."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from shared.errors import Conflict, InvalidInput


class MemberStatus(StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    RETIRED = "retired"


@dataclass(frozen=True)
class Member:
    """A committee member of a CPPCC committee at province, city or county level."""

    id: UUID
    full_name: str
    sector_code: str
    committee_code: str
    region_code: str
    status: MemberStatus
    registered_at: datetime
    special_committee_code: str | None = None
    term: str | None = None
    title: str | None = None
    external_id: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class MemberProfile:
    """What staff may set on a member (a full replacement, as PUT does)."""

    full_name: str
    sector_code: str
    committee_code: str
    region_code: str
    special_committee_code: str | None = None
    term: str | None = None
    title: str | None = None


def clean_name(full_name: str) -> str:
    name = " ".join(full_name.split())
    if not name:
        raise InvalidInput("full_name must not be blank")
    return name


def register_member(
    member_id: UUID, profile: MemberProfile, *, at: datetime, external_id: str | None = None
) -> Member:
    return Member(
        id=member_id,
        full_name=clean_name(profile.full_name),
        sector_code=profile.sector_code,
        committee_code=profile.committee_code,
        region_code=profile.region_code,
        status=MemberStatus.ACTIVE,
        registered_at=at,
        special_committee_code=profile.special_committee_code,
        term=profile.term,
        title=profile.title,
        external_id=external_id,
    )


def update_member(
    member: Member, profile: MemberProfile, status: MemberStatus, *, at: datetime
) -> Member:
    if member.status is MemberStatus.RETIRED:
        raise Conflict("a retired member cannot be changed")
    if status is MemberStatus.RETIRED:
        raise InvalidInput("retire a member with POST /v1/members/{id}/retire")
    return replace(
        member,
        full_name=clean_name(profile.full_name),
        sector_code=profile.sector_code,
        committee_code=profile.committee_code,
        region_code=profile.region_code,
        special_committee_code=profile.special_committee_code,
        term=profile.term,
        title=profile.title,
        status=status,
        updated_at=at,
    )


def retire_member(member: Member, *, at: datetime) -> Member:
    if member.status is MemberStatus.RETIRED:
        raise Conflict("the member is already retired")
    return replace(member, status=MemberStatus.RETIRED, updated_at=at)


def same_profile(member: Member, profile: MemberProfile) -> bool:
    """Whether applying `profile` would change nothing (re-imports must be no-ops)."""
    return (
        member.full_name == clean_name(profile.full_name)
        and member.sector_code == profile.sector_code
        and member.committee_code == profile.committee_code
        and member.region_code == profile.region_code
        and member.special_committee_code == profile.special_committee_code
        and member.term == profile.term
        and member.title == profile.title
    )


@dataclass(frozen=True)
class LiaisonQuota:
    """The "about ten" liaisons rule (settings): falling short is a warning, never an error."""

    minimum: int
    target: int
    maximum: int

    def warnings(self, linked: int) -> list[str]:
        if linked < self.minimum:
            return [f"below the liaison quota: {linked} linked, at least {self.minimum} expected"]
        return []

    def check_room(self, linked: int) -> None:
        if linked >= self.maximum:
            raise Conflict(f"a member links at most {self.maximum} liaisons")
