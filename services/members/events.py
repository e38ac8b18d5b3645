"""From members' domain objects to the integration events other services read."""

from __future__ import annotations

from datetime import datetime

from services.members.domain.members import Member
from shared.contracts.members import MemberRegisteredV1, MemberRetiredV1, MemberUpdatedV1


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
