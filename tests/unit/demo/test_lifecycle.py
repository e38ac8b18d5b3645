"""A concern is walked one step at a time to its planned outcome, from whatever state it is in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from deploy.demo.activity import Concern
from deploy.demo.lifecycle import next_step

TODAY = date(2026, 11, 28)
PLAN = Concern(
    "request", "城区停车难", "城区停车难，建议研究解决。", "closed", "jx-housing-bureau", 15
)


def walk(plan: Concern) -> list[tuple[str, str]]:
    """Plays the service: applies each step as the visits service would and records it."""
    state: dict[str, Any] = {"status": "submitted", "round": 0, "upgraded_to": None}
    done: list[tuple[str, str]] = []
    while (step := next_step(plan, state, TODAY)) is not None:
        done.append((step.action, step.actor))
        state = _apply(state, step.action, step.body or {})
        assert len(done) < 20
    return done


def _apply(state: dict[str, Any], action: str, body: dict[str, Any]) -> dict[str, Any]:
    moved = {
        "accept": "accepted",
        "reject": "rejected",
        "assign": "assigned",
        "reply": "replied",
        "upgrade": state["status"],
    }
    if action == "rate":
        good = body["satisfaction"] >= 4 and body["resolved"]
        return {**state, "status": "closed" if good else "reopened"}
    if action == "assign":
        return {**state, "status": "assigned", "round": state["round"] + 1}
    if action == "upgrade":
        return {**state, "upgraded_to": body["to"]}
    return {**state, "status": moved[action]}


def test_a_concern_planned_to_close_is_accepted_assigned_answered_and_rated() -> None:
    assert walk(PLAN) == [
        ("accept", "owner"),
        ("assign", "owner"),
        ("reply", "department"),
        ("rate", "rater"),
    ]


def test_a_dissatisfied_rating_sends_it_round_again_before_it_closes() -> None:
    steps = [a for a, _ in walk(replace(PLAN, outcome="reopened_closed"))]
    assert steps == ["accept", "assign", "reply", "rate", "assign", "reply", "rate"]


def test_walks_stop_where_planned_and_a_proposal_is_upgraded_after_closing() -> None:
    assert [a for a, _ in walk(replace(PLAN, outcome="submitted"))] == []
    assert [a for a, _ in walk(replace(PLAN, outcome="rejected"))] == ["reject"]
    assert [a for a, _ in walk(replace(PLAN, outcome="assigned"))] == ["accept", "assign"]
    assert [a for a, _ in walk(replace(PLAN, outcome="proposal"))][-2:] == ["rate", "upgrade"]
    unhappy = [a for a, _ in walk(replace(PLAN, outcome="reopened"))]
    assert unhappy == ["accept", "assign", "reply", "rate"]


def test_a_re_run_carries_on_from_the_state_the_service_reports() -> None:
    step = next_step(PLAN, {"status": "assigned", "round": 1, "upgraded_to": None}, TODAY)
    assert step is not None
    assert (step.action, step.actor) == ("reply", "department")
    assert next_step(PLAN, {"status": "closed", "round": 1, "upgraded_to": None}, TODAY) is None
    assign = next_step(PLAN, {"status": "accepted", "round": 0, "upgraded_to": None}, TODAY)
    assert assign is not None
    assert assign.body == {
        "department_code": "jx-housing-bureau",
        "due_on": "2026-12-13",
    }
