"""Events the members service publishes (the province's directory of who is who)."""

from __future__ import annotations

from typing import Annotated, ClassVar
from uuid import UUID

from pydantic import StringConstraints

from shared.contracts import topics
from shared.contracts.base import IntegrationEvent

SectorCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
CommitteeCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class MemberRegisteredV1(IntegrationEvent):
    """A committee member (委员) joined the directory."""

    event_type_name: ClassVar[str] = "members.member.registered.v1"
    topic: ClassVar[str] = topics.MEMBERS_MEMBER.name

    member_id: UUID
    full_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    sector_code: SectorCode
    committee_code: CommitteeCode

    def partition_key(self) -> str:
        return str(self.member_id)
