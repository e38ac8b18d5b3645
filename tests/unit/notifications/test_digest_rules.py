"""When the daily digest is due (local hour, Asia/Shanghai) and what its e-mail says."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.notifications.domain.digest import DigestLine, digest_day, digest_message

TZ = "Asia/Shanghai"


def test_the_digest_is_due_from_the_local_hour_on_the_local_day() -> None:
    assert digest_day(datetime(2026, 11, 27, 0, 59, tzinfo=UTC), hour=9, timezone=TZ) is None
    due = digest_day(datetime(2026, 11, 27, 1, 0, tzinfo=UTC), hour=9, timezone=TZ)
    assert due == date(2026, 11, 27)
    # 23:30 UTC is already the next morning (07:30) in Shanghai, but before 09:00.
    assert digest_day(datetime(2026, 11, 27, 23, 30, tzinfo=UTC), hour=9, timezone=TZ) is None
    late = digest_day(datetime(2026, 11, 27, 15, 30, tzinfo=UTC), hour=9, timezone=TZ)
    assert late == date(2026, 11, 27)  # 23:30 local


def test_the_message_lists_each_item_with_its_local_time() -> None:
    lines = [
        DigestLine(
            "policy_issued", "关于加强职业教育的若干意见", datetime(2026, 11, 26, 16, 5, tzinfo=UTC)
        ),
        DigestLine("other", "标题二", datetime(2026, 11, 27, 2, 0, tzinfo=UTC)),
    ]
    message = digest_message(date(2026, 11, 27), lines, TZ)
    assert message.title == "【每日摘要】2026-11-27 共 2 条消息"
    assert "1. [政策发布] 关于加强职业教育的若干意见（11-27 00:05）" in message.body
    assert "2. [通知] 标题二（11-27 10:00）" in message.body
