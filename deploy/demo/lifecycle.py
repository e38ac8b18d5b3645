"""Where a concern goes next on its way to its planned outcome (pure; the loader calls the API).

Asking the service for the concern's state and taking one step at a time makes a re-run after a
crash carry on where the first run stopped, without repeating a step.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from deploy.demo.activity import Concern
from deploy.demo.people import REPLIES

Actor = Literal["owner", "department", "rater"]
_STOPS = {
    "submitted": "submitted",
    "accepted": "accepted",
    "rejected": "rejected",
    "assigned": "assigned",
    "replied": "replied",
    "reopened": "reopened",
}


@dataclass(frozen=True)
class Step:
    action: str  # the path segment: accept, reject, assign, reply, rate, upgrade
    actor: Actor
    body: dict[str, Any] | None = None


def next_step(plan: Concern, state: dict[str, Any], today: date) -> Step | None:
    """`state` is the service's view of the concern (status, round, upgraded_to)."""
    status, round_ = state["status"], state["round"]
    if _STOPS.get(plan.outcome) == status:
        return None
    if status == "submitted":
        if plan.outcome == "rejected":
            return Step("reject", "owner", {"reason": "不属于政协履职范围，已向反映人说明"})
        return Step("accept", "owner")
    if status in ("accepted", "reopened"):
        due = today + timedelta(days=plan.due_in_days)
        return Step(
            "assign", "owner", {"department_code": plan.department, "due_on": due.isoformat()}
        )
    if status == "assigned":
        return Step("reply", "department", {"reply": REPLIES[len(plan.title) % len(REPLIES)]})
    if status == "replied":
        if plan.outcome == "reopened" or (plan.outcome == "reopened_closed" and round_ == 1):
            return Step("rate", "rater", {"satisfaction": 2, "resolved": False})
        return Step(
            "rate", "rater", {"satisfaction": 5 if len(plan.body) % 3 else 4, "resolved": True}
        )
    if status == "closed" and plan.outcome == "proposal" and state.get("upgraded_to") is None:
        reference = f"提案-{today.year}-{zlib.crc32(plan.title.encode()) % 1000:03d}"
        return Step("upgrade", "owner", {"to": "proposal", "reference": reference})
    return None
