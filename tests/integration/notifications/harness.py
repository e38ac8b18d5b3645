"""Helpers for notifications on the real stack: real SMTP (aiosmtpd), the stand-in gateway."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiosmtpd.controller import Controller

from deploy.devtokens import issue_token
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from shared.contracts import visits as v
from tests.support.gateway import StandInGateway
from tests.support.platform import Platform
from tests.support.servers import free_port, serving


class Mailbox:
    """What the in-process SMTP server accepted."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(msg)  # type: ignore[arg-type,unused-ignore]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield mailbox, controller.port
    finally:
        controller.stop()


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[StandInGateway, str]]:
    stand_in = StandInGateway()
    async with serving(stand_in.app) as url:
        yield stand_in, url


NEVER_QUIET = {"quiet_start": time(0), "quiet_end": time(0)}


def notification_settings(
    platform: Platform, smtp_port: int, gateway_url: str, **overrides: Any
) -> NotificationsSettings:
    values: dict[str, Any] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "gateway_url": gateway_url,
        "gateway_token": "gateway-test-token",
        "gateway_timeout_seconds": 0.5,
        "delivery_poll_seconds": 0.05,
        "delivery_backoff_base_seconds": 0.05,
        "delivery_backoff_max_seconds": 0.2,
        "delivery_max_attempts": 3,
        "stream_poll_seconds": 0.1,
        **overrides,
    }
    return platform.settings(NotificationsSettings, "notifications", **values)


def headers(platform: Platform, role: Role, region: str, **claims: Any) -> dict[str, str]:
    token = issue_token(platform.keys.private_key, role=role, region=region, **claims)
    return {"Authorization": f"Bearer {token}"}


def _base(region: str = "230302") -> dict[str, Any]:
    return {"occurred_at": datetime.now(UTC), "region_code": region}


def obligation_opened(
    member_id: UUID, kind: v.OccasionKind = "policy_issued"
) -> v.ObligationOpenedV1:
    return v.ObligationOpenedV1(
        **_base(), obligation_id=uuid4(), member_id=member_id, occasion_kind=kind,
        sector_code="education", due_on=date.today() + timedelta(days=30),
        source_id=uuid4(), title="关于进一步加强乡村教师队伍建设的意见",
    )  # fmt: skip


def obligation_overdue(member_id: UUID) -> v.ObligationOverdueV1:
    return v.ObligationOverdueV1(
        **_base(), obligation_id=uuid4(), member_id=member_id, occasion_kind="sector_festival",
        sector_code="education", due_on=date.today() - timedelta(days=1),
    )  # fmt: skip


def obligation_escalated(member_id: UUID, to: str, level: int) -> v.ObligationEscalatedV1:
    return v.ObligationEscalatedV1(
        **_base(), obligation_id=uuid4(), member_id=member_id, occasion_kind="leader_speech",
        sector_code="education", due_on=date.today() - timedelta(days=8), level=level,
        escalated_to=to,
    )  # fmt: skip


def concern_events(
    member_id: UUID,
    *,
    source: v.ConcernSource,
    liaison_id: UUID | None,
    department: str,
    submitted_by: str | None = None,
) -> dict[str, Any]:
    concern: dict[str, Any] = {
        "concern_id": uuid4(),
        "member_id": member_id,
        "sector_code": "education",
    }
    return {
        "submitted": v.ConcernSubmittedV1(
            **_base(), **concern, kind="problem", source=source,
            visit_id=uuid4() if source == "contact_record" else None, liaison_id=liaison_id,
            submitted_by=submitted_by,
        ),
        "assigned": v.ConcernAssignedV1(
            **_base(), **concern, department_code=department, due_on=date.today(), round=1
        ),
        "replied": v.ConcernRepliedV1(
            **_base(), **concern, department_code=department, replied_on=date.today(),
            on_time=True, round=1,
        ),
        "reopened": v.ConcernReopenedV1(**_base(), **concern),
    }  # fmt: skip


async def rows(platform: Platform, sql: str, *args: Any) -> list[Any]:
    import asyncpg

    conn = await asyncpg.connect(platform.database_urls["notifications"])
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()
