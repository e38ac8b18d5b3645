"""The daily digest (每日摘要): when today's is due, and what its one e-mail says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.notifications.templates import Message

KIND_LABELS = {"policy_issued": "政策发布"}


@dataclass(frozen=True)
class DigestLine:
    """One low-priority item a digest summarises."""

    kind: str
    title: str
    created_at: datetime


def digest_day(now: datetime, *, hour: int, timezone: str) -> date | None:
    """The local day whose digest is due at `now`; None before the digest hour."""
    local = now.astimezone(ZoneInfo(timezone))
    return local.date() if local.hour >= hour else None


def digest_message(day: date, lines: Sequence[DigestLine], timezone: str) -> Message:
    tz = ZoneInfo(timezone)
    title = f"【每日摘要】{day.isoformat()} 共 {len(lines)} 条消息"
    body = [f"您好！以下是截至 {day.isoformat()} 的低优先级消息摘要：", ""]
    for i, line in enumerate(lines, start=1):
        when = line.created_at.astimezone(tz).strftime("%m-%d %H:%M")
        label = KIND_LABELS.get(line.kind, "通知")
        body.append(f"{i}. [{label}] {line.title}（{when}）")
    body += ["", "详情请登录消息中心查看。如需逐条接收，请在通知设置中关闭每日摘要。"]
    return Message(title, "\n".join(body))
