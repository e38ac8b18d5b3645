"""Members' domain rules: pure, synchronous, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from services.members.sectors import NATIONAL_SECTORS
from shared.errors import InvalidInput


class MemberStatus(StrEnum):
    ACTIVE = "active"
    ON_LEAVE = "on_leave"
    RETIRED = "retired"


@dataclass(frozen=True)
class Member:
    """A committee member (委员) of a CPPCC committee at province, city or county level."""

    id: UUID
    full_name: str
    sector_code: str
    committee_code: str
    region_code: str
    status: MemberStatus
    registered_at: datetime


def register_member(
    *,
    member_id: UUID,
    full_name: str,
    sector_code: str,
    committee_code: str,
    region_code: str,
    at: datetime,
) -> Member:
    name = " ".join(full_name.split())
    if not name:
        raise InvalidInput("full_name must not be blank")
    if sector_code not in NATIONAL_SECTORS:
        raise InvalidInput(f"unknown sector_code {sector_code!r}")
    return Member(
        id=member_id,
        full_name=name,
        sector_code=sector_code,
        committee_code=committee_code,
        region_code=region_code,
        status=MemberStatus.ACTIVE,
        registered_at=at,
    )
