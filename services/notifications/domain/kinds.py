"""The kinds of notification: each has one template, a priority and the variables it needs."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.notifications import Priority


@dataclass(frozen=True)
class KindSpec:
    priority: Priority
    variables: tuple[str, ...]


KINDS: dict[str, KindSpec] = {
    "obligation_opened": KindSpec("normal", ("occasion", "title", "due_on")),
    "obligation_reminder": KindSpec("normal", ("occasion", "due_on", "days_left")),
    "obligation_overdue": KindSpec("normal", ("occasion", "due_on")),
    "obligation_escalated": KindSpec("normal", ("occasion", "due_on", "member_name", "level")),
    "policy_issued": KindSpec("low", ("title", "issued_on")),
    "liaison_hardship": KindSpec("urgent", ("liaison_name",)),
    "liaison_request": KindSpec("normal", ("liaison_name",)),
    "concern_assigned": KindSpec("normal", ("concern_ref", "due_on", "round")),
    "concern_replied": KindSpec("normal", ("concern_ref", "replied_on")),
    "concern_rate_request": KindSpec("normal", ("concern_ref",)),
    "concern_reopened": KindSpec("normal", ("concern_ref",)),
}

# 八必访: how an occasion reads in a message.
OCCASION_LABELS: dict[str, str] = {
    "leader_speech": "重要讲话或指示精神",
    "congress_closed": "重要会议闭幕",
    "policy_issued": "相关政策出台",
    "plenary_upcoming": "全会召开前",
    "liaison_life_change": "联系人工作生活发生较大变化",
    "liaison_request": "联系人提出重要诉求或建议",
    "liaison_hardship": "联系人遇到严重困难",
    "sector_festival": "界别节日",
}


def occasion_label(kind: str) -> str:
    return OCCASION_LABELS.get(kind, kind)
