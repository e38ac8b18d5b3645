"""Builders for events and their wire form, so each test states only what it cares about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from shared.contracts import members as ev
from shared.contracts.base import IntegrationEvent
from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import DepartmentRegisteredV1, MemberRegisteredV1
from tests.support.kafka import produce_raw
from tests.support.platform import Platform


def member_registered(**overrides: Any) -> MemberRegisteredV1:
    values: dict[str, Any] = {
        "occurred_at": datetime.now(UTC),
        "region_code": "230302",
        "member_id": uuid4(),
        "full_name": "测试委员",
        "sector_code": "education",
        "committee_code": "cppcc-230300",
        **overrides,
    }
    return MemberRegisteredV1(**values)


async def publish(platform: Platform, event: IntegrationEvent) -> None:
    """Put `event` on its topic exactly as the outbox relay would (body, key, headers)."""
    await produce_raw(
        platform.stack.kafka_bootstrap,
        platform.topic(event.topic),
        encode_body(event),
        key=event.partition_key().encode(),
        headers=cloudevent_headers(event, source="/tests"),
    )


def _event_values(**overrides: Any) -> dict[str, Any]:
    return {"occurred_at": datetime.now(UTC), "region_code": "230302", **overrides}


def policy_issued(**overrides: Any) -> ev.PolicyIssuedV1:
    values = {
        "occasion_id": uuid4(),
        "title": "关于进一步加强乡村教师队伍建设的意见",
        "issued_on": datetime.now(UTC).date(),
        "sector_codes": ["education"],
        "region_codes": ["230300"],
        **overrides,
    }
    return ev.PolicyIssuedV1(**_event_values(region_code="230000", **values))


def occasion_declared(**overrides: Any) -> ev.OccasionDeclaredV1:
    values = {
        "occasion_id": uuid4(),
        "kind": "leader_speech",
        "title": "重要讲话",
        "occurs_on": datetime.now(UTC).date(),
        "sector_codes": ["education"],
        "region_codes": ["230300"],
        **overrides,
    }
    return ev.OccasionDeclaredV1(**_event_values(region_code="230000", **values))


def liaison_linked(member: ev.MemberRegisteredV1, **overrides: Any) -> ev.LiaisonLinkedV1:
    values = {
        "liaison_id": uuid4(),
        "member_id": member.member_id,
        "display_name": "李*芳",
        "sector_code": member.sector_code,
        "consent_to_departments": False,
        **overrides,
    }
    return ev.LiaisonLinkedV1(**_event_values(region_code=member.region_code, **values))


def circumstance_reported(
    liaison: ev.LiaisonLinkedV1, kind: str = "hardship", **overrides: Any
) -> ev.CircumstanceReportedV1:
    values = {
        "liaison_id": liaison.liaison_id,
        "member_id": liaison.member_id,
        "report_id": uuid4(),
        "kind": kind,
        "sector_code": liaison.sector_code,
        "display_name": liaison.display_name,
        **overrides,
    }
    return ev.CircumstanceReportedV1(**_event_values(region_code=liaison.region_code, **values))


def member_retired(member: ev.MemberRegisteredV1) -> ev.MemberRetiredV1:
    return ev.MemberRetiredV1(
        **_event_values(region_code=member.region_code),
        member_id=member.member_id,
        retired_on=datetime.now(UTC).date(),
    )


def department_registered(
    code: str, name: str = "鸡西市教育局", region_code: str = "230300"
) -> DepartmentRegisteredV1:
    """A department (承办单位) of the directory, as the members service announces it."""
    return DepartmentRegisteredV1(
        occurred_at=datetime.now(UTC),
        region_code=region_code,
        department_id=uuid4(),
        code=code,
        name=name,
    )
