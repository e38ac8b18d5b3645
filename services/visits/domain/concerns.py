"""Concerns (问题/建议/诉求/微建议) on a member's duty list (履职清单): lifecycle and who moves it.

submitted → accepted | rejected | merged (into another of the same member's concerns; it ends);
accepted → assigned (交办, to a department with a due date) → replied (办复) → rated by the
submitter → closed if satisfied (4-5) and resolved, else reopened → assigned again (round 2 …).
Upgrading into a public-opinion report or a proposal keeps the concern, its status and its id.

A department is identified by its token: role `department`, subject = the department code the
concern is assigned to (e.g. `jixi-education-bureau`), region = the area it serves.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from shared.auth import STAFF_ROLES, Principal, Role
from shared.contracts.visits import ConcernKind, ConcernSource
from shared.errors import Conflict, InvalidInput
from shared.regions import scope_prefix

SATISFIED = 4  # 4 and 5 count as satisfied (满意率)


class Status(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"
    ASSIGNED = "assigned"
    REPLIED = "replied"
    REOPENED = "reopened"
    CLOSED = "closed"


class Action(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    REJECT = "reject"
    MERGE = "merge"
    ASSIGN = "assign"
    REPLY = "reply"
    RATE = "rate"
    CLOSE = "close"  # follows from a rating, never asked for
    REOPEN = "reopen"  # likewise
    UPGRADE = "upgrade"


S = Status
# The states each requested action may start from; anything else is an illegal transition.
ALLOWED_FROM: Mapping[Action, frozenset[Status]] = {
    Action.ACCEPT: frozenset({S.SUBMITTED}),
    Action.REJECT: frozenset({S.SUBMITTED}),
    Action.MERGE: frozenset({S.SUBMITTED}),
    Action.ASSIGN: frozenset({S.ACCEPTED, S.REOPENED}),
    Action.REPLY: frozenset({S.ASSIGNED}),
    Action.RATE: frozenset({S.REPLIED}),
    Action.UPGRADE: frozenset({S.ACCEPTED, S.ASSIGNED, S.REPLIED, S.CLOSED}),
}
REQUESTED = tuple(ALLOWED_FROM)


class IllegalTransition(Conflict):
    """409: the concern's state does not allow this step (replying before assignment, …)."""


@dataclass(frozen=True)
class Concern:
    id: UUID
    member_id: UUID
    region_code: str
    sector_code: str
    kind: ConcernKind
    source: ConcernSource
    title: str
    body: str
    visit_id: UUID | None
    liaison_id: UUID | None
    submitted_by: str  # the token subject of whoever put it on the list
    submitted_by_role: str
    consent_to_share_identity: bool  # online submissions only; liaisons consent in the roster
    submitted_at: datetime
    status: Status = Status.SUBMITTED
    round: int = 0  # how many times it has been assigned
    department_code: str | None = None
    due_on: date | None = None
    merged_into: UUID | None = None
    upgraded_to: str | None = None
    upgrade_reference: str | None = None


@dataclass(frozen=True)
class Step:
    """One history row and one event. `detail` holds facts only (no free text, no identity)."""

    action: Action
    from_status: Status | None
    to_status: Status
    round: int
    detail: Mapping[str, Any] = field(default_factory=dict)
    note: str | None = None  # free text (a rejection's reason): history only, never events


@dataclass(frozen=True)
class Change:
    concern: Concern
    steps: tuple[Step, ...]


def require_state(concern: Concern, action: Action) -> None:
    if concern.status not in ALLOWED_FROM[action]:
        raise IllegalTransition(f"cannot {action.value} a concern that is {concern.status.value}")


def submit(concern: Concern) -> Change:
    if concern.source == "online" and concern.visit_id is not None:
        raise InvalidInput("an online submission belongs to no contact record")
    if concern.source == "contact_record" and concern.visit_id is None:
        raise InvalidInput("a concern raised in a contact record names the record")
    new = replace(concern, status=Status.SUBMITTED, round=0)
    return Change(new, (Step(Action.SUBMIT, None, Status.SUBMITTED, 0),))


def accept(concern: Concern) -> Change:
    return _move(concern, Action.ACCEPT, Status.ACCEPTED)


def reject(concern: Concern, reason: str | None = None) -> Change:
    return _move(concern, Action.REJECT, Status.REJECTED, note=reason)


def merge(concern: Concern, into: Concern) -> Change:
    """A duplicate joins an earlier concern of the same member, which carries on."""
    require_state(concern, Action.MERGE)
    if into.id == concern.id:
        raise InvalidInput("a concern cannot be merged into itself")
    if into.member_id != concern.member_id:
        raise InvalidInput("merge target is not on the same member's duty list")
    if into.status in (Status.REJECTED, Status.MERGED):
        raise IllegalTransition(f"cannot merge into a concern that is {into.status.value}")
    new = replace(concern, merged_into=into.id)
    return _move(new, Action.MERGE, Status.MERGED, {"merged_into": str(into.id)})


def assign(concern: Concern, department_code: str, due_on: date, *, today: date) -> Change:
    """交办: round 1 after acceptance, one more after every reopening."""
    require_state(concern, Action.ASSIGN)
    if due_on < today:
        raise InvalidInput("due_on is in the past")
    new = replace(concern, round=concern.round + 1, department_code=department_code, due_on=due_on)
    detail = {"department_code": department_code, "due_on": due_on.isoformat()}
    return _move(new, Action.ASSIGN, Status.ASSIGNED, detail)


UNKNOWN_DEPARTMENT = "承办单位不存在，请从承办单位名录中选择"
OUT_OF_REGION_DEPARTMENT = "该承办单位不负责此事项所在地区，请选择本地区的承办单位"


def require_serving(concern: Concern, department_region: str | None) -> None:
    """A department takes concerns of its own area or of the area above or below it: the city's
    bureau those of its counties, a county's bureau its own; never another city's or county's."""
    if department_region is None:
        raise InvalidInput(UNKNOWN_DEPARTMENT)
    here, there = scope_prefix(concern.region_code), scope_prefix(department_region)
    if not (here.startswith(there) or there.startswith(here)):
        raise InvalidInput(OUT_OF_REGION_DEPARTMENT)


def reply(concern: Concern, *, replied_on: date) -> Change:
    """办复 by the department the current round is assigned to."""
    require_state(concern, Action.REPLY)
    assert concern.due_on is not None
    assert concern.department_code is not None
    detail = {
        "department_code": concern.department_code,
        "replied_on": replied_on.isoformat(),
        "on_time": replied_on <= concern.due_on,
    }
    return _move(concern, Action.REPLY, Status.REPLIED, detail)


def rate(concern: Concern, *, satisfaction: int, resolved: bool) -> Change:
    """Satisfied (4-5) and resolved closes it; anything less reopens it for another round."""
    require_state(concern, Action.RATE)
    if not 1 <= satisfaction <= 5:
        raise InvalidInput("satisfaction is 1 to 5")
    rated = Step(
        Action.RATE,
        Status.REPLIED,
        Status.REPLIED,
        concern.round,
        {"satisfaction": satisfaction, "resolved": resolved},
    )
    if satisfaction >= SATISFIED and resolved:
        outcome = Step(Action.CLOSE, S.REPLIED, S.CLOSED, concern.round, {"resolved": True})
    else:
        outcome = Step(Action.REOPEN, S.REPLIED, S.REOPENED, concern.round)
    return Change(replace(concern, status=outcome.to_status), (rated, outcome))


def upgrade(concern: Concern, *, to: str, reference: str) -> Change:
    """Into a public-opinion report (社情民意信息) or a proposal (提案); the concern stays."""
    require_state(concern, Action.UPGRADE)
    if concern.upgraded_to is not None:
        raise IllegalTransition(f"already upgraded to a {concern.upgraded_to}")
    new = replace(concern, upgraded_to=to, upgrade_reference=reference)
    detail = {"upgraded_to": to, "reference": reference}
    return _move(new, Action.UPGRADE, concern.status, detail)


def _move(
    concern: Concern,
    action: Action,
    to: Status,
    detail: Mapping[str, Any] | None = None,
    *,
    note: str | None = None,
) -> Change:
    require_state(concern, action)
    step = Step(action, concern.status, to, concern.round, detail or {}, note)
    return Change(replace(concern, status=to), (step,))


# Who may see and move a concern. Outside `visible` a caller gets 404, as if it did not exist.


def visible(viewer: Principal, concern: Concern, departments: Collection[str]) -> bool:
    """Members their own; staff their region; a department what is or was assigned to it;
    a constituent their own online submissions."""
    if not viewer.can_see_region(concern.region_code):
        return False
    role = viewer.role
    if role is Role.MEMBER:
        return viewer.member_id == concern.member_id
    if role is Role.DEPARTMENT:
        return viewer.subject in departments
    if role is Role.CONSTITUENT:
        return _own_submission(viewer, concern)
    return role in STAFF_ROLES


def may(viewer: Principal, action: Action, concern: Concern) -> bool:
    """Owner or staff in scope handle it; the assigned department replies; the submitter rates
    (for a concern raised in a contact record, the owning member rates on the person's behalf)."""
    owner = viewer.role is Role.MEMBER and viewer.member_id == concern.member_id
    staff = viewer.role in STAFF_ROLES and viewer.can_see_region(concern.region_code)
    if action is Action.REPLY:
        return viewer.role is Role.DEPARTMENT and viewer.subject == concern.department_code
    if action is Action.RATE:
        return _own_submission(viewer, concern) if concern.source == "online" else owner
    return owner or staff


def may_manage_bridge(viewer: Principal) -> bool:
    """Staff watch and replay what goes to the disposal platform; nobody else sees it."""
    return viewer.role in STAFF_ROLES


def _own_submission(viewer: Principal, concern: Concern) -> bool:
    return (
        viewer.role is Role.CONSTITUENT
        and concern.source == "online"
        and concern.submitted_by_role == Role.CONSTITUENT.value
        and concern.submitted_by == viewer.subject
    )


@dataclass(frozen=True)
class Liaison:
    """The liaison's card from the roster read model (masked name, consent to departments)."""

    liaison_id: UUID
    display_name: str
    consent_to_departments: bool


@dataclass(frozen=True)
class Submitter:
    liaison_id: UUID | None = None
    display_name: str | None = None
    constituent: str | None = None  # an online submitter's account (token subject)


def submitter(
    concern: Concern, liaison: Liaison | None, *, for_department: bool
) -> Submitter | None:
    """Who raised it. A department learns a liaison only with the liaison's consent, and an
    online submitter only if they consented when submitting; otherwise nobody."""
    if concern.source == "online":
        if for_department and not concern.consent_to_share_identity:
            return None
        return Submitter(constituent=concern.submitted_by)
    if liaison is None or (for_department and not liaison.consent_to_departments):
        return None
    return Submitter(liaison_id=liaison.liaison_id, display_name=liaison.display_name)


@dataclass(frozen=True)
class ReadScope:
    """What a caller's concern list is narrowed to (always also the token's region)."""

    region_code: str
    member_id: UUID | None = None
    department_code: str | None = None
    submitted_by: str | None = None


def read_scope(viewer: Principal, *, member_id: UUID | None = None) -> ReadScope | None:
    """None: the role reads no concerns. Staff may narrow to one member."""
    region = viewer.region_code
    if viewer.role is Role.MEMBER:
        return ReadScope(region, member_id=viewer.member_id)
    if viewer.role in STAFF_ROLES:
        return ReadScope(region, member_id=member_id)
    if viewer.role is Role.DEPARTMENT:
        return ReadScope(region, department_code=viewer.subject)
    if viewer.role is Role.CONSTITUENT:
        return ReadScope(region, submitted_by=viewer.subject)
    return None
