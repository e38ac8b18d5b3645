"""Every endpoint of the four services, classified by what it takes an object id for.

The attack tests enumerate each app's OpenAPI and look every operation up here: an endpoint
nobody classified fails the suite, so a new endpoint is covered or noticed, never skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from tests.security.world import City


@dataclass(frozen=True)
class Target:
    """An endpoint that takes the id of a `kind` of object in `where` (path, query or body)."""

    kind: str
    where: str = "path"
    param: str = ""
    body: Callable[[City, str], dict[str, Any]] | None = None  # (caller's city, id)
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NoObject:
    """No object id: `why` says what the endpoint takes instead (covered by other tests)."""

    why: str


Route = tuple[str, str, str]  # service, METHOD, path template

_LIST = NoObject("a list or create in the caller's own scope (smuggling and injection tests)")
OPEN = NoObject("health and reference data, the same for everyone")


def _in(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def _member_body(city: City, _: str) -> dict[str, Any]:
    return {
        "full_name": "改名委员",
        "sector_code": "education",
        "committee_code": city.committee,
        "region_code": city.county,
    }


def _visit_body(member_id: str) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "channel": "online",
        "occurred_on": _in(0),
        "people_reached": 1,
        "summary": "越权记录",
    }


ROUTES: dict[Route, Target | NoObject] = {
    # members
    ("members", "GET", "/health/live"): OPEN,
    ("members", "GET", "/health/ready"): OPEN,
    ("members", "GET", "/v1/regions"): OPEN,
    ("members", "POST", "/v1/regions"): _LIST,
    ("members", "GET", "/v1/sectors"): OPEN,
    ("members", "POST", "/v1/sectors"): _LIST,
    ("members", "PUT", "/v1/sectors/{code}/festivals"): NoObject("sectors are province-wide"),
    ("members", "GET", "/v1/committees"): _LIST,
    ("members", "POST", "/v1/committees"): _LIST,
    ("members", "GET", "/v1/special-committees"): _LIST,
    ("members", "POST", "/v1/special-committees"): _LIST,
    ("members", "POST", "/v1/members"): _LIST,
    ("members", "GET", "/v1/members"): _LIST,
    ("members", "GET", "/v1/members/{member_id}"): Target("member"),
    ("members", "PUT", "/v1/members/{member_id}"): Target("member", body=_member_body),
    ("members", "POST", "/v1/members/{member_id}/retire"): Target("member"),
    ("members", "PUT", "/v1/members/{member_id}/unit"): Target(
        "member",
        body=lambda c, _: {"name": "越权单位", "kind": "office_building", "region_code": c.county},
    ),
    ("members", "GET", "/v1/members/{member_id}/unit"): Target("member"),
    ("members", "POST", "/v1/members/{member_id}/liaisons"): Target(
        "member", body=lambda c, _: {"name": "越权人", "phone": "13900001111"}
    ),
    ("members", "GET", "/v1/members/{member_id}/liaisons"): Target("member"),
    ("members", "GET", "/v1/liaisons/{liaison_id}"): Target(
        "liaison", query={"reveal": "true", "reason": "核实联系人身份信息"}
    ),
    ("members", "PATCH", "/v1/liaisons/{liaison_id}"): Target(
        "liaison", body=lambda c, _: {"workplace": "越权单位"}
    ),
    ("members", "POST", "/v1/liaisons/{liaison_id}/unlink"): Target("liaison"),
    ("members", "POST", "/v1/liaisons/{liaison_id}/circumstances"): Target(
        "liaison", body=lambda c, _: {"kind": "request", "summary": "越权上报"}
    ),
    ("members", "GET", "/v1/liaisons/{liaison_id}/circumstances"): Target("liaison"),
    ("members", "GET", "/v1/members/{member_id}/account"): Target("member"),
    ("members", "POST", "/v1/members/{member_id}/account/password"): Target("member"),
    ("members", "POST", "/v1/accounts"): _LIST,
    ("members", "PUT", "/v1/liaisons/{liaison_id}/account"): Target(
        "liaison", body=lambda c, _: {"subject": "attacker-account"}
    ),
    ("members", "DELETE", "/v1/liaisons/{liaison_id}/account"): Target("liaison"),
    ("members", "GET", "/v1/me/liaison"): NoObject("the caller's own liaison, from the token"),
    ("members", "POST", "/v1/me/circumstances"): NoObject("for the caller's own liaison only"),
    ("visits", "GET", "/v1/obligations/sweep"): NoObject("the operators' sweep runs, no id"),
    ("visits", "POST", "/v1/obligations/sweep"): NoObject("runs the sweep; takes no id"),
    ("members", "POST", "/v1/workstations"): _LIST,
    ("members", "GET", "/v1/departments"): _LIST,
    ("members", "POST", "/v1/departments"): _LIST,
    ("members", "GET", "/v1/departments/{department_id}"): Target("department"),
    ("members", "PATCH", "/v1/departments/{department_id}"): Target(
        "department", body=lambda c, _: {"name": "越权改名"}
    ),
    ("visits", "GET", "/v1/duty-list"): _LIST,
    ("visits", "GET", "/v1/duty-list/failed-dispatches"): _LIST,
    ("visits", "GET", "/v1/departments"): _LIST,
    ("members", "GET", "/v1/workstations"): _LIST,
    ("members", "GET", "/v1/workstations/{workstation_id}"): Target("workstation"),
    ("members", "PATCH", "/v1/workstations/{workstation_id}"): Target(
        "workstation", body=lambda c, _: {"name": "越权改名"}
    ),
    ("members", "PUT", "/v1/workstations/{workstation_id}/members"): Target(
        "workstation", body=lambda c, _: {"member_ids": []}
    ),
    ("members", "PUT", "/v1/workstations/{workstation_id}/rota"): Target(
        "workstation", body=lambda c, _: {"entries": []}
    ),
    ("members", "GET", "/v1/workstations/{workstation_id}/rota"): Target("workstation"),
    ("members", "POST", "/v1/workstations/{workstation_id}/close"): Target("workstation"),
    ("members", "POST", "/v1/occasions"): _LIST,
    ("members", "GET", "/v1/occasions"): _LIST,
    ("members", "POST", "/v1/policies"): _LIST,
    ("members", "GET", "/v1/occasions/{occasion_id}"): Target("occasion"),
    ("members", "POST", "/v1/imports/{kind}"): NoObject("kind is one of five import kinds"),
    ("members", "GET", "/v1/imports/{job_id}"): Target("import_job"),
    ("members", "GET", "/v1/imports"): _LIST,
    ("members", "GET", "/v1/import-templates/{kind}.{fmt}"): OPEN,
    ("members", "GET", "/v1/audit/pii"): Target("liaison", where="query", param="liaison_id"),
    # visits
    ("visits", "GET", "/health/live"): OPEN,
    ("visits", "GET", "/health/ready"): OPEN,
    ("visits", "POST", "/v1/visits"): Target(
        "member", where="body", body=lambda c, i: _visit_body(i)
    ),
    ("visits", "GET", "/v1/visits"): Target("member", where="query", param="member_id"),
    ("visits", "GET", "/v1/visits/{visit_id}"): Target("visit"),
    ("visits", "GET", "/v1/obligations"): Target("member", where="query", param="member_id"),
    ("visits", "GET", "/v1/obligations/{obligation_id}"): Target("obligation"),
    ("visits", "POST", "/v1/concerns/online"): Target(
        "member", where="body", body=lambda c, i: online_concern_body(i)
    ),
    ("visits", "GET", "/v1/concerns"): Target("visit", where="query", param="visit_id"),
    ("visits", "GET", "/v1/concerns/{concern_id}"): Target("concern"),
    ("visits", "GET", "/v1/concerns/{concern_id}/history"): Target("concern"),
    ("visits", "POST", "/v1/concerns/{concern_id}/accept"): Target("concern"),
    ("visits", "POST", "/v1/concerns/{concern_id}/reject"): Target(
        "concern", body=lambda c, _: {"reason": "越权驳回"}
    ),
    ("visits", "POST", "/v1/concerns/{concern_id}/merge"): Target(
        "concern", body=lambda c, _: {"into": str(uuid4())}
    ),
    ("visits", "POST", "/v1/concerns/{concern_id}/assign"): Target(
        "concern", body=lambda c, _: {"department_code": c.department, "due_on": _in(10)}
    ),
    ("visits", "POST", "/v1/concerns/{concern_id}/reply"): Target(
        "concern", body=lambda c, _: {"reply": "越权答复"}
    ),
    ("visits", "POST", "/v1/concerns/{concern_id}/rate"): Target(
        "concern", body=lambda c, _: {"satisfaction": 1, "resolved": False}
    ),
    ("visits", "POST", "/v1/concerns/{concern_id}/upgrade"): Target(
        "concern", body=lambda c, _: {"to": "proposal", "reference": "越权-001"}
    ),
    ("visits", "GET", "/v1/bridge/dispatches"): _LIST,
    ("visits", "POST", "/v1/bridge/dispatches/{dispatch_id}/retry"): Target("dispatch"),
    ("visits", "POST", "/v1/bridge/replies"): NoObject(
        "the disposal platform's HMAC-signed callback, no token (tests/integration/visits)"
    ),
    # notifications
    ("notifications", "GET", "/health/live"): OPEN,
    ("notifications", "GET", "/health/ready"): OPEN,
    ("notifications", "GET", "/v1/inbox"): _LIST,
    ("notifications", "GET", "/v1/inbox/unread-count"): _LIST,
    ("notifications", "POST", "/v1/inbox/{notification_id}/read"): Target("notification"),
    ("notifications", "GET", "/v1/inbox/stream"): NoObject("the caller's own inbox, streamed"),
    ("notifications", "GET", "/v1/preferences"): _LIST,
    ("notifications", "PUT", "/v1/preferences"): _LIST,
    ("notifications", "GET", "/v1/deliveries"): _LIST,
    ("notifications", "POST", "/v1/deliveries/{delivery_id}/retry"): Target("delivery"),
    # reporting
    ("reporting", "GET", "/health/live"): OPEN,
    ("reporting", "GET", "/health/ready"): OPEN,
    ("reporting", "GET", "/v1/kpi/member-counts"): _LIST,
    ("reporting", "GET", "/v1/kpi/summary"): _LIST,
    ("reporting", "GET", "/v1/kpi/summary/export"): _LIST,
    ("reporting", "GET", "/v1/kpi/labels"): OPEN,
    ("reporting", "GET", "/v1/members/{member_id}/dossier"): Target("dossier"),
    ("reporting", "GET", "/v1/feed"): _LIST,
}


def online_concern_body(member_id: str) -> dict[str, Any]:
    return {"member_id": member_id, "kind": "suggestion", "title": "越权", "body": "越权提交"}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) for every operation in an OpenAPI document."""
    methods = {"get", "put", "post", "patch", "delete"}
    return [
        (method.upper(), path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in methods
    ]
